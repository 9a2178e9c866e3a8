using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace VideoStreams.Server.Tests;

/// <summary>An HTTPS endpoint beside HTTP, with a certificate from configuration (Kestrel:Endpoints:…).</summary>
public sealed class HttpsTests : IAsyncLifetime
{
    private readonly string _certificateFolder = Path.Combine(Path.GetTempPath(), "vs-cert-" + Guid.NewGuid().ToString("N"));
    private readonly X509Certificate2 _certificate;
    private readonly ServerFixture _server;

    public HttpsTests()
    {
        Directory.CreateDirectory(_certificateFolder);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = Path.Combine(_certificateFolder, "server.pfx");
        File.WriteAllBytes(pfx, _certificate.Export(X509ContentType.Pfx, "secret"));
        _server = new ServerFixture(
        [
            "--Kestrel:Endpoints:Http:Url", "http://127.0.0.1:0",
            "--Kestrel:Endpoints:Https:Url", "https://127.0.0.1:0",
            "--Kestrel:Endpoints:Https:Certificate:Path", pfx,
            "--Kestrel:Endpoints:Https:Certificate:Password", "secret",
        ]);
    }

    public Task InitializeAsync() => _server.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificate.Dispose();
        Directory.Delete(_certificateFolder, recursive: true);
    }

    [Fact]
    public async Task The_control_plane_answers_over_HTTPS_with_the_configured_certificate()
    {
        var https = _server.Urls.Single(u => u.Scheme == Uri.UriSchemeHttps);
        X509Certificate2? presented = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.RawData);
                return true;
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = https };

        await client.CreateStreamAsync("over-tls");
        Assert.Equal("over-tls", (await client.DescribeAsync("over-tls")).GetProperty("StreamName").GetString());
        Assert.Equal(_certificate.Thumbprint, presented?.Thumbprint);
        var endpoint = (await client.KvsAsync("/getDataEndpoint", new { StreamName = "over-tls", APIName = "GET_MEDIA" })).Ok()
            .Body.GetProperty("DataEndpoint").GetString();
        Assert.Equal(https.GetLeftPart(UriPartial.Authority), endpoint);
        presented?.Dispose();
    }

    [Fact]
    public async Task The_HTTPS_endpoint_speaks_HTTP2_and_HTTP1()
    {
        // Apple's players ask for HTTP/2 for low-latency HLS; older clients still speak HTTP/1.1 on the same port.
        var https = _server.Urls.Single(u => u.Scheme == Uri.UriSchemeHttps);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var client = new HttpClient(handler) { BaseAddress = https };
        foreach (var version in new[] { HttpVersion.Version20, HttpVersion.Version11 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "health") { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(version, response.Version);
        }
    }
}
