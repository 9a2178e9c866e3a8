using System.Globalization;

namespace VideoStreams.Agent.Tests.EndToEnd;

internal enum FaultKind
{
    Run,
    Cut,
    Stall,
    KillServer,
    KillAgent,
}

/// <summary>One step of the fault run: what happens and for how long (the fault's duration, or the downtime).</summary>
internal sealed record FaultStep(FaultKind Kind, TimeSpan Duration)
{
    public double Seconds => Duration.TotalSeconds;

    public override string ToString() => Kind switch
    {
        FaultKind.Run => string.Create(CultureInfo.InvariantCulture, $"run {Seconds:F1} s"),
        FaultKind.Cut => string.Create(CultureInfo.InvariantCulture, $"cut the connection for {Seconds:F1} s"),
        FaultKind.Stall => string.Create(CultureInfo.InvariantCulture, $"stall the connection (no close) for {Seconds:F1} s"),
        FaultKind.KillServer => string.Create(CultureInfo.InvariantCulture, $"SIGKILL the server, restart after {Seconds:F1} s"),
        FaultKind.KillAgent => string.Create(CultureInfo.InvariantCulture, $"SIGKILL the agent, restart after {Seconds:F1} s"),
        _ => Kind.ToString(),
    };
}

/// <summary>The fault run of issue 7: five cuts of 2–10 s, one stall, one server kill, one agent kill, with runs between.</summary>
internal static class FaultSchedule
{
    /// <summary>A schedule drawn from <paramref name="random"/> (seeded by the test, so a failure can be replayed).</summary>
    public static List<FaultStep> Create(Random random)
    {
        TimeSpan Between(double min, double max) => TimeSpan.FromSeconds(Math.Round(min + (random.NextDouble() * (max - min)), 1));
        FaultStep Run() => new(FaultKind.Run, Between(4, 7));
        FaultStep Cut() => new(FaultKind.Cut, Between(2, 10));
        return
        [
            new(FaultKind.Run, TimeSpan.FromSeconds(6)),
            Cut(), Run(),
            Cut(), Run(),
            // Longer than the uploader's stall timeout (3 s in the device file), so only the timeout can notice it.
            new(FaultKind.Stall, Between(6, 9)), Run(),
            Cut(), Run(),
            new(FaultKind.KillServer, Between(2, 5)), Run(),
            Cut(), Run(),
            new(FaultKind.KillAgent, Between(2, 5)), Run(),
            Cut(),
            new(FaultKind.Run, TimeSpan.FromSeconds(8)),
        ];
    }
}
