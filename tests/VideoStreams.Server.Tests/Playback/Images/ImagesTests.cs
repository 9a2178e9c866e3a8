using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenCvSharp;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Tests.Playback.Images;

/// <summary>
/// GetImages against the real server: stored H.264 (PlaybackSeed: 160x120 testsrc2, 10 fps, 1 s fragments at
/// 0–4 s, and again at 10–14 s, so 4–10 s is a gap) decoded into JPEG/PNG pictures that the tests decode again.
/// </summary>
public sealed class ImagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const long ProducerStart = 1_700_000_000_000;
    private const long ServerStart = 1_700_000_500_000;

    private readonly HttpClient _client = server.CreateClient();

    private static double Producer(long offsetMs) => (ProducerStart + offsetMs) / 1000.0;

    private async Task<string> SeededStreamAsync()
    {
        var name = KvsHttp.UniqueName("img");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        await PlaybackSeed.SeedAsync(server, name, ProducerStart, ServerStart);
        await PlaybackSeed.SeedAsync(server, name, ProducerStart + 10_000, ServerStart + 10_000);
        return name;
    }

    private Task<KvsAnswer> GetImagesAsync(string name, double start, double end, object? extra = null, string type = "PRODUCER_TIMESTAMP")
    {
        var body = new Dictionary<string, object?>
        {
            ["StreamName"] = name,
            ["ImageSelectorType"] = type,
            ["StartTimestamp"] = start,
            ["EndTimestamp"] = end,
            ["SamplingInterval"] = 500,
            ["Format"] = "JPEG",
        };
        foreach (var property in JsonSerializer.SerializeToElement(extra ?? new { }).EnumerateObject())
        {
            body[property.Name] = property.Value;
        }

        return _client.KvsAsync("/getImages", body);
    }

    private static List<JsonElement> Images(KvsAnswer answer) => [.. answer.Ok().Body.GetProperty("Images").EnumerateArray()];

    private static byte[] Content(JsonElement image)
    {
        Assert.False(image.TryGetProperty("Error", out var error), $"image at {image.GetProperty("TimeStamp")} has error {error}");
        return image.GetProperty("ImageContent").GetBytesFromBase64();
    }

    private static Mat Decode(byte[] bytes)
    {
        var mat = Cv2.ImDecode(bytes, ImreadModes.Color);
        Assert.False(mat.Empty(), "the image decodes");
        return mat;
    }

    private static async Task<byte[]> OneImageAsync(HttpClient client, string name, double at, object? extra = null)
    {
        var answer = await client.KvsAsync("/getImages", new Dictionary<string, object?>
        {
            ["StreamName"] = name,
            ["ImageSelectorType"] = "PRODUCER_TIMESTAMP",
            ["StartTimestamp"] = at,
            ["EndTimestamp"] = at,
            ["SamplingInterval"] = 200,
            ["Format"] = "PNG",
        });
        var images = Images(answer);
        Assert.Single(images);
        return Content(images[0]);
    }

    [Fact]
    public async Task Jpeg_images_are_real_pictures_of_the_video_size_one_per_sample_time()
    {
        var name = await SeededStreamAsync();
        var images = Images(await GetImagesAsync(name, Producer(0), Producer(3500)));

        Assert.Equal(8, images.Count);
        for (var i = 0; i < images.Count; i++)
        {
            Assert.Equal(Producer(i * 500L), images[i].GetProperty("TimeStamp").GetDouble(), 3);
            var bytes = Content(images[i]);
            Assert.Equal([0xFF, 0xD8, 0xFF], bytes[..3]);
            using var picture = Decode(bytes);
            Assert.Equal((160, 120), (picture.Width, picture.Height));
        }
    }

    [Theory]
    [InlineData(80, 40, 80, 40)]
    [InlineData(320, null, 320, 240)]
    [InlineData(null, 60, 80, 60)]
    [InlineData(3840, 2160, 3840, 2160)]
    public async Task Png_images_have_the_requested_size_keeping_the_aspect_ratio_when_one_side_is_given(int? width, int? height, int expectedWidth, int expectedHeight)
    {
        var name = await SeededStreamAsync();
        var images = Images(await GetImagesAsync(name, Producer(1200), Producer(1200), new { Format = "PNG", WidthPixels = width, HeightPixels = height }));

        var bytes = Content(Assert.Single(images));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        using var picture = Decode(bytes);
        Assert.Equal((expectedWidth, expectedHeight), (picture.Width, picture.Height));
    }

    [Fact]
    public async Task Each_image_is_the_frame_at_or_just_before_its_time_and_the_same_time_gives_the_same_image()
    {
        var name = await SeededStreamAsync();

        // 10 fps: frames at 1200 and 1300 ms; 1250 ms shows the 1200 ms frame.
        var at1200 = await OneImageAsync(_client, name, Producer(1200));
        var at1250 = await OneImageAsync(_client, name, Producer(1250));
        var at1300 = await OneImageAsync(_client, name, Producer(1300));
        var again = await OneImageAsync(_client, name, Producer(1200));
        var later = await OneImageAsync(_client, name, Producer(2700));

        Assert.Equal(at1200, again);
        Assert.Equal(at1200, at1250);
        using var a = Decode(at1200);
        using var b = Decode(at1300);
        using var c = Decode(later);
        Assert.True(Difference(a, b) > 0, "testsrc2 moves between consecutive frames");
        Assert.True(Difference(a, c) > Difference(a, b) / 2, "a picture 1.5 s later differs");
    }

    private static double Difference(Mat a, Mat b)
    {
        using var diff = new Mat();
        Cv2.Absdiff(a, b, diff);
        var mean = Cv2.Mean(diff);
        return mean.Val0 + mean.Val1 + mean.Val2;
    }

    [Fact]
    public async Task Sample_times_before_the_first_fragment_and_in_a_gap_are_NO_MEDIA_on_both_clocks()
    {
        var name = await SeededStreamAsync();
        foreach (var (type, origin) in new[] { ("PRODUCER_TIMESTAMP", ProducerStart), ("SERVER_TIMESTAMP", ServerStart) })
        {
            // Every second from -2 s to 12 s: 0–3 s and 10–12 s have media, the rest do not.
            var answer = await _client.KvsAsync("/getImages", new
            {
                StreamName = name,
                ImageSelectorType = type,
                StartTimestamp = (origin - 2000) / 1000.0,
                EndTimestamp = (origin + 12_000) / 1000.0,
                SamplingInterval = 1000,
                Format = "JPEG",
            });
            var images = Images(answer);
            Assert.Equal(15, images.Count);
            for (var i = 0; i < images.Count; i++)
            {
                var second = i - 2;
                var covered = second is >= 0 and < 4 or >= 10;
                Assert.Equal((origin + (second * 1000L)) / 1000.0, images[i].GetProperty("TimeStamp").GetDouble(), 3);
                if (covered)
                {
                    Assert.Equal(0xFF, Content(images[i])[0]);
                }
                else
                {
                    Assert.Equal("NO_MEDIA", images[i].GetProperty("Error").GetString());
                    Assert.False(images[i].TryGetProperty("ImageContent", out _));
                }
            }
        }
    }

    [Fact]
    public async Task NextToken_pages_return_every_sample_time_exactly_once_in_order()
    {
        var name = await SeededStreamAsync();
        var times = new List<double>();
        var request = new Dictionary<string, object?>
        {
            ["StreamName"] = name,
            ["ImageSelectorType"] = "PRODUCER_TIMESTAMP",
            ["StartTimestamp"] = Producer(0),
            ["EndTimestamp"] = Producer(13_800),
            ["SamplingInterval"] = 200,
            ["Format"] = "JPEG",
            ["MaxResults"] = 100,
        };
        var pages = 0;
        while (true)
        {
            var body = (await _client.KvsAsync("/getImages", request)).Ok().Body;
            var page = body.GetProperty("Images").EnumerateArray().ToList();
            Assert.InRange(page.Count, 1, 25);
            times.AddRange(page.Select(i => i.GetProperty("TimeStamp").GetDouble()));
            pages++;
            if (!body.TryGetProperty("NextToken", out var token))
            {
                break;
            }

            request["NextToken"] = token.GetString();
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 70).Select(i => Producer(i * 200L)), times, (x, y) => Math.Abs(x - y) < 0.0005);
    }

    [Fact]
    public async Task A_range_shorter_than_the_interval_returns_the_image_at_start()
    {
        var name = await SeededStreamAsync();
        var images = Images(await GetImagesAsync(name, Producer(2000), Producer(2100), new { SamplingInterval = 1000 }));
        Assert.Equal(Producer(2000), Assert.Single(images).GetProperty("TimeStamp").GetDouble(), 3);
        Assert.NotEmpty(Content(images[0]));
    }

    [Fact]
    public async Task JPEGQuality_changes_the_size_and_defaults_to_80()
    {
        var name = await SeededStreamAsync();
        async Task<int> SizeAsync(object extra) => Content(Images(await GetImagesAsync(name, Producer(1500), Producer(1500), extra))[0]).Length;

        var low = await SizeAsync(new { FormatConfig = new Dictionary<string, string> { ["JPEGQuality"] = "5" } });
        var high = await SizeAsync(new { FormatConfig = new Dictionary<string, string> { ["JPEGQuality"] = "100" } });
        var eighty = await SizeAsync(new { FormatConfig = new Dictionary<string, string> { ["JPEGQuality"] = "80" } });
        var unset = await SizeAsync(new { });

        Assert.True(low < eighty && eighty < high, $"sizes: q5 {low}, q80 {eighty}, q100 {high}");
        Assert.Equal(eighty, unset);
    }

    [Theory]
    [InlineData("ImageSelectorType", """{"ImageSelectorType":"FRAGMENT_NUMBER"}""")]
    [InlineData("ImageSelectorType", """{"ImageSelectorType":null}""")]
    [InlineData("StartTimestamp", """{"StartTimestamp":null}""")]
    [InlineData("StartTimestamp", """{"StartTimestamp":-5}""")]
    [InlineData("EndTimestamp", """{"EndTimestamp":null}""")]
    [InlineData("EndTimestamp", """{"EndTimestamp":1699999999}""")]
    [InlineData("300 seconds", """{"EndTimestamp":1700000300.001}""")]
    [InlineData("SamplingInterval", """{"SamplingInterval":199}""")]
    [InlineData("Format", """{"Format":"GIF"}""")]
    [InlineData("Format", """{"Format":null}""")]
    [InlineData("JPEGQuality", """{"FormatConfig":{"JPEGQuality":"0"}}""")]
    [InlineData("JPEGQuality", """{"FormatConfig":{"JPEGQuality":"101"}}""")]
    [InlineData("JPEGQuality", """{"FormatConfig":{"JPEGQuality":"high"}}""")]
    [InlineData("FormatConfig", """{"FormatConfig":{"PNGCompression":"1"}}""")]
    [InlineData("WidthPixels", """{"WidthPixels":0}""")]
    [InlineData("WidthPixels", """{"WidthPixels":3841}""")]
    [InlineData("HeightPixels", """{"HeightPixels":0}""")]
    [InlineData("HeightPixels", """{"HeightPixels":2161}""")]
    [InlineData("MaxResults", """{"MaxResults":0}""")]
    [InlineData("MaxResults", """{"MaxResults":101}""")]
    [InlineData("NextToken", """{"NextToken":"not a token!"}""")]
    [InlineData("NextToken", """{"NextToken":"aTE6MTox"}""")]
    public async Task Each_bad_field_is_InvalidArgument_naming_it_and_the_stream_still_serves(string field, string change)
    {
        var name = await SeededStreamAsync();
        var body = new Dictionary<string, JsonElement>(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(new
        {
            StreamName = name,
            ImageSelectorType = "PRODUCER_TIMESTAMP",
            StartTimestamp = Producer(0),
            EndTimestamp = Producer(1000),
            SamplingInterval = 500,
            Format = "JPEG",
        }))!);
        foreach (var property in JsonDocument.Parse(change).RootElement.EnumerateObject())
        {
            body[property.Name] = property.Value.Clone();
        }

        (await _client.KvsRawAsync("/getImages", JsonSerializer.Serialize(body))).Invalid(field);

        Assert.Equal(3, Images(await GetImagesAsync(name, Producer(0), Producer(1000))).Count(i => !i.TryGetProperty("Error", out _)));
        await _client.AssertServingAsync();
    }

    [Fact]
    public async Task A_NextToken_of_another_stream_or_another_range_is_refused()
    {
        var name = await SeededStreamAsync();
        var other = await SeededStreamAsync();
        var first = (await GetImagesAsync(name, Producer(0), Producer(3000), new { SamplingInterval = 200, MaxResults = 5 })).Ok().Body;
        var token = first.GetProperty("NextToken").GetString();

        (await GetImagesAsync(other, Producer(0), Producer(3000), new { SamplingInterval = 200, NextToken = token })).Invalid("NextToken");
        (await GetImagesAsync(name, Producer(0), Producer(2000), new { SamplingInterval = 200, NextToken = token })).Invalid("NextToken");
        Assert.Equal(5, Images(await GetImagesAsync(name, Producer(0), Producer(3000), new { SamplingInterval = 200, MaxResults = 5, NextToken = token })).Count);
    }

    [Fact]
    public async Task A_retention_0_stream_is_NoDataRetention_and_an_unknown_stream_ResourceNotFound()
    {
        var name = KvsHttp.UniqueName("img0");
        await _client.CreateStreamAsync(name, retentionHours: 0);

        (await GetImagesAsync(name, Producer(0), Producer(1000))).Error(HttpStatusCode.BadRequest, "NoDataRetentionException");
        (await GetImagesAsync(KvsHttp.UniqueName("missing"), Producer(0), Producer(1000))).Error(HttpStatusCode.NotFound, "ResourceNotFoundException");
    }

    [Fact]
    public async Task A_fragment_that_cannot_be_decoded_is_MEDIA_ERROR_and_its_neighbours_still_decode()
    {
        var name = KvsHttp.UniqueName("imgbad");
        await _client.CreateStreamAsync(name, retentionHours: 24);
        await PlaybackSeed.SeedAsync(server, name, ProducerStart, ServerStart);
        var store = server.Services.GetRequiredService<FragmentStore>();
        var stream = store.Streams.Describe(new Storage.Streams.StreamRef(name, null)).Value!;
        // 4–5 s: bytes that are no Matroska cluster, with no session header either.
        var appended = store.Append(stream.Id, new NewFragment(ProducerStart + 4000, ServerStart + 4000, 1000,
            FragmentFlags.StartsWithKeyframe | FragmentFlags.HasVideo, new byte[4096], []));
        Assert.True((await appended.Value!.Persisted).IsSuccess);

        var images = Images(await GetImagesAsync(name, Producer(3500), Producer(4500)));

        Assert.Equal(0xFF, Content(images[0])[0]);
        Assert.Equal("MEDIA_ERROR", images[1].GetProperty("Error").GetString());
        Assert.Equal("MEDIA_ERROR", images[2].GetProperty("Error").GetString());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "tmp", "images")));
    }
}
