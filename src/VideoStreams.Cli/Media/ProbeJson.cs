using System.Text.Json.Serialization;
using VideoStreams.Media.Probe;

namespace VideoStreams.Cli.Media;

/// <summary>Source-generated JSON for the probe: no reflection, so `vs` can be compiled ahead of time.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MediaProbeResult))]
internal sealed partial class ProbeJson : JsonSerializerContext;
