using System.Text.RegularExpressions;

namespace VideoStreams.Server;

/// <summary>
/// The server's settings: configuration section <c>VideoStreams</c> (appsettings.json, <c>VIDEOSTREAMS__…</c>
/// environment variables, <c>--data DIR</c> for <see cref="DataDirectory"/>).
/// </summary>
internal sealed partial record ServerOptions
{
    public const string Section = "VideoStreams";

    /// <summary>The data folder, relative to the working directory unless absolute.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The region in stream ARNs; clients sign for a region, so use the one they are configured with.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The account id in stream ARNs.</summary>
    public string AccountId { get; set; } = "123456789012";

    /// <summary>
    /// What GetDataEndpoint answers when the server sits behind a proxy (e.g. <c>https://video.example.com</c>);
    /// when unset, the scheme and host the client used to reach us.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Master keys as <c>KEYID=file:PATH</c>, <c>KEYID=env:VARIABLE</c> or <c>KEYID=credential:NAME</c>.</summary>
    public string[] MasterKeys { get; set; } = [];

    /// <summary>Keep a generated master key in the data folder when none is configured (demos and tests only).</summary>
    public bool AllowDemoKey { get; set; } = true;

    /// <summary>Largest JSON request body of a control-plane or archived-media call.</summary>
    public int MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>Why the settings cannot work, or null when they can.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            return "VideoStreams:DataDirectory (--data) must name a folder.";
        }

        if (!RegionPattern().IsMatch(Region))
        {
            return $"VideoStreams:Region must be a region name such as us-east-1; got '{Region}'.";
        }

        if (!AccountPattern().IsMatch(AccountId))
        {
            return $"VideoStreams:AccountId must be digits; got '{AccountId}'.";
        }

        if (!string.IsNullOrEmpty(PublicBaseUrl)
            && (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            return $"VideoStreams:PublicBaseUrl must be an absolute http or https URL; got '{PublicBaseUrl}'.";
        }

        if (MaxRequestBodyBytes is < 1024 or > 64 << 20)
        {
            return $"VideoStreams:MaxRequestBodyBytes must be 1024 to {64 << 20}; got {MaxRequestBodyBytes}.";
        }

        return null;
    }

    [GeneratedRegex(@"\A[a-z0-9\-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"\A[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountPattern();
}
