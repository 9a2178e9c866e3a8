using System.CommandLine;
using Spectre.Console;
using VideoStreams.Cli.Remote;

namespace VideoStreams.Cli.Streams;

/// <summary><c>vs streams ls|create|describe|update|retention|tag|rm</c>: the KVS control plane.</summary>
internal static class StreamsCommands
{
    public static Command Create() => new("streams", "Create, list, describe, change and delete streams.")
    {
        List(),
        CreateStream(),
        Describe(),
        Update(),
        Retention(),
        Tag(),
        Remove(),
    };

    private static Argument<string> StreamArgument() => new("stream") { Description = "The stream's name." };

    private static Command List()
    {
        var prefix = new Option<string?>("--prefix") { Description = "Only streams whose name begins with this." };
        var command = new Command("ls", "List the streams.") { prefix };
        command.Aliases.Add("list");
        return command.WithExamples("vs streams ls", "vs streams ls --prefix lobby- --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var streams = await StreamCalls.ListAsync(client, parse.GetValue(prefix), ct);
            streams.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            if (parse.GetValue(GlobalOptions.Json))
            {
                Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("streams");
                    foreach (var s in streams)
                    {
                        s.Write(w);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return CliErrors.Ok;
            }

            if (streams.Count == 0)
            {
                Output.Note("no streams");
                return CliErrors.Ok;
            }

            var table = Output.Table("NAME", "STATUS", "RETENTION", "MEDIA TYPE", "CREATED");
            foreach (var s in streams)
            {
                table.AddRow(Output.Cell(s.Name), Output.Cell(s.Status), Output.Cell(s.Retention), Output.Cell(s.MediaType), Output.Cell(Times.Iso(s.CreatedMs)));
            }

            Output.Stdout.Write(table);
            return CliErrors.Ok;
        });
    }

    private static Command CreateStream()
    {
        var name = StreamArgument();
        var retention = new Option<int>("--retention-hours") { Description = "Hours to keep fragments (0 = live only, as KVS's default).", DefaultValueFactory = _ => 0 };
        var mediaType = new Option<string?>("--media-type") { Description = "e.g. video/h264 or video/h264,audio/aac." };
        var device = new Option<string?>("--device") { Description = "The device's name." };
        var kms = new Option<string?>("--kms-key-id") { Description = "KMS key id (stored; the server encrypts with its own keys)." };
        var tags = TagsOption();
        var command = new Command("create", "Create a stream; prints its ARN.")
        { name, retention, mediaType, device, kms, tags };
        return command.WithExamples("vs streams create lobby --retention-hours 24 --media-type video/h264", "vs streams create dock-3 --tag site=dock --tag floor=1 --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var stream = parse.GetValue(name)!;
            var tagPairs = ParseTags(parse.GetValue(tags));
            using var answer = await client.KvsAsync("createStream", w =>
            {
                w.WriteString("StreamName", stream);
                w.WriteNumber("DataRetentionInHours", parse.GetValue(retention));
                WriteIfSet(w, "MediaType", parse.GetValue(mediaType));
                WriteIfSet(w, "DeviceName", parse.GetValue(device));
                WriteIfSet(w, "KmsKeyId", parse.GetValue(kms));
                if (tagPairs.Count > 0)
                {
                    w.WritePropertyName("Tags");
                    StreamInfo.WriteTags(w, tagPairs);
                }
            }, ct);
            var arn = answer.RootElement.GetProperty("StreamARN").GetString()!;
            if (parse.GetValue(GlobalOptions.Json))
            {
                Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("name", stream);
                    w.WriteString("arn", arn);
                    w.WriteEndObject();
                });
            }
            else
            {
                Output.Line(arn);
            }

            return CliErrors.Ok;
        });
    }

    private static Command Describe()
    {
        var name = StreamArgument();
        var command = new Command("describe", "Show a stream: status, version, retention, media type, tags.")
        { name };
        return command.WithExamples("vs streams describe lobby", "vs streams describe lobby --json | jq -r .version").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var stream = parse.GetValue(name)!;
            var info = await StreamCalls.DescribeAsync(client, stream, ct);
            var tags = await StreamCalls.TagsAsync(client, stream, ct);
            Show(parse, info, tags);
            return CliErrors.Ok;
        });
    }

    private static Command Update()
    {
        var name = StreamArgument();
        var mediaType = new Option<string?>("--media-type") { Description = "The new media type." };
        var device = new Option<string?>("--device") { Description = "The new device name." };
        var command = new Command("update", "Change a stream's media type or device name (UpdateStream with its current version).")
        { name, mediaType, device };
        command.Validators.Add(result =>
        {
            if (result.GetValue(mediaType) is null && result.GetValue(device) is null)
            {
                result.AddError("give --media-type or --device (or both)");
            }
        });
        return command.WithExamples("vs streams update lobby --media-type video/h264,audio/aac", "vs streams update lobby --device cam-7 --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var stream = parse.GetValue(name)!;
            var before = await StreamCalls.DescribeAsync(client, stream, ct);
            using (await client.KvsAsync("updateStream", w =>
            {
                w.WriteString("StreamName", stream);
                w.WriteString("CurrentVersion", before.Version);
                WriteIfSet(w, "MediaType", parse.GetValue(mediaType));
                WriteIfSet(w, "DeviceName", parse.GetValue(device));
            }, ct))
            {
            }

            Show(parse, await StreamCalls.DescribeAsync(client, stream, ct), null);
            return CliErrors.Ok;
        });
    }

    private static Command Retention()
    {
        var name = StreamArgument();
        var hours = new Option<int>("--hours") { Description = "The retention wanted, in hours (0–87600; 0 keeps nothing).", Required = true };
        var command = new Command("retention", "Set how long a stream keeps its fragments (UpdateDataRetention by the difference; lowering it deletes older data at once).")
        { name, hours };
        return command.WithExamples("vs streams retention lobby --hours 168", "vs streams retention lobby --hours 24 --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var stream = parse.GetValue(name)!;
            var wanted = parse.GetValue(hours);
            var before = await StreamCalls.DescribeAsync(client, stream, ct);
            var change = wanted - before.RetentionHours;
            if (change != 0)
            {
                using (await client.KvsAsync("updateDataRetention", w =>
                {
                    w.WriteString("StreamName", stream);
                    w.WriteString("CurrentVersion", before.Version);
                    w.WriteString("Operation", change > 0 ? "INCREASE_DATA_RETENTION" : "DECREASE_DATA_RETENTION");
                    w.WriteNumber("DataRetentionChangeInHours", Math.Abs(change));
                }, ct))
                {
                }
            }

            Show(parse, change == 0 ? before : await StreamCalls.DescribeAsync(client, stream, ct), null);
            return CliErrors.Ok;
        });
    }

    private static Command Tag()
    {
        var name = StreamArgument();
        var set = new Argument<string[]>("tags") { Description = "KEY=VALUE pairs to set (existing keys are overwritten).", Arity = ArgumentArity.ZeroOrMore };
        var remove = new Option<string[]>("--remove") { Description = "Keys to remove.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("tag", "Set, remove or (with neither) list a stream's tags.")
        { name, set, remove };
        return command.WithExamples("vs streams tag lobby site=hq floor=2", "vs streams tag lobby --remove floor", "vs streams tag lobby --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var stream = parse.GetValue(name)!;
            var pairs = ParseTags(parse.GetValue(set));
            var removed = parse.GetValue(remove) ?? [];
            if (pairs.Count > 0)
            {
                using (await client.KvsAsync("tagStream", w =>
                {
                    w.WriteString("StreamName", stream);
                    w.WritePropertyName("Tags");
                    StreamInfo.WriteTags(w, pairs);
                }, ct))
                {
                }
            }

            if (removed.Length > 0)
            {
                using (await client.KvsAsync("untagStream", w =>
                {
                    w.WriteString("StreamName", stream);
                    w.WriteStartArray("TagKeyList");
                    foreach (var key in removed)
                    {
                        w.WriteStringValue(key);
                    }

                    w.WriteEndArray();
                }, ct))
                {
                }
            }

            var tags = await StreamCalls.TagsAsync(client, stream, ct);
            if (parse.GetValue(GlobalOptions.Json))
            {
                Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("stream", stream);
                    w.WritePropertyName("tags");
                    StreamInfo.WriteTags(w, tags);
                    w.WriteEndObject();
                });
            }
            else if (tags.Count == 0)
            {
                Output.Note($"{stream} has no tags");
            }
            else
            {
                var table = Output.Table("KEY", "VALUE");
                foreach (var (key, value) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    table.AddRow(Output.Cell(key), Output.Cell(value));
                }

                Output.Stdout.Write(table);
            }

            return CliErrors.Ok;
        });
    }

    private static Command Remove()
    {
        var name = StreamArgument();
        var command = new Command("rm", "Delete a stream and all its fragments (DeleteStream with its ARN and current version).")
        { name };
        command.Aliases.Add("delete");
        return command.WithExamples("vs streams rm lobby", "vs streams rm lobby --json").WithConnection().OnServer(async (parse, client, ct) =>
        {
            var stream = parse.GetValue(name)!;
            var info = await StreamCalls.DescribeAsync(client, stream, ct);
            using (await client.KvsAsync("deleteStream", w =>
            {
                w.WriteString("StreamARN", info.Arn);
                w.WriteString("CurrentVersion", info.Version);
            }, ct))
            {
            }

            if (parse.GetValue(GlobalOptions.Json))
            {
                Output.Json(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("name", info.Name);
                    w.WriteString("arn", info.Arn);
                    w.WriteBoolean("deleted", true);
                    w.WriteEndObject();
                });
            }
            else
            {
                Output.Line($"deleted {info.Name} ({info.Arn})");
            }

            return CliErrors.Ok;
        });
    }

    private static void Show(ParseResult parse, StreamInfo info, IReadOnlyDictionary<string, string>? tags)
    {
        if (parse.GetValue(GlobalOptions.Json))
        {
            Output.Json(w => info.Write(w, tags));
            return;
        }

        var table = Output.Table("FIELD", "VALUE");
        table.AddRow(Output.Cell("name"), Output.Cell(info.Name));
        table.AddRow(Output.Cell("arn"), Output.Cell(info.Arn));
        table.AddRow(Output.Cell("status"), Output.Cell(info.Status));
        table.AddRow(Output.Cell("version"), Output.Cell(info.Version));
        table.AddRow(Output.Cell("created"), Output.Cell(Times.Iso(info.CreatedMs)));
        table.AddRow(Output.Cell("retention"), Output.Cell(info.Retention));
        table.AddRow(Output.Cell("media type"), Output.Cell(info.MediaType));
        table.AddRow(Output.Cell("device"), Output.Cell(info.DeviceName));
        table.AddRow(Output.Cell("kms key"), Output.Cell(info.KmsKeyId));
        if (tags is not null)
        {
            table.AddRow(Output.Cell("tags"), Output.Cell(string.Join(", ", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"))));
        }

        Output.Stdout.Write(table);
    }

    private static Option<string[]> TagsOption() => new("--tag") { Description = "A KEY=VALUE tag (repeat for more).", HelpName = "KEY=VALUE" };

    private static Dictionary<string, string> ParseTags(string[]? pairs)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException(CliErrors.BadInput, $"tag '{pair}' is not KEY=VALUE");
            }

            tags[pair[..equals]] = pair[(equals + 1)..];
        }

        return tags;
    }

    private static void WriteIfSet(System.Text.Json.Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
