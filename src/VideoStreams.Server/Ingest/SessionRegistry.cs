using System.Collections.Concurrent;

namespace VideoStreams.Server.Ingest;

/// <summary>One PutMedia session per stream: KVS accepts the newest connection and ends the older one.</summary>
internal sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<long, PutMediaSession> _current = new();

    /// <summary>Makes <paramref name="session"/> the stream's session; returns the one it replaces, told to stop.</summary>
    public PutMediaSession? Enter(PutMediaSession session)
    {
        PutMediaSession? old = null;
        _current.AddOrUpdate(session.Stream.Id, session, (_, previous) =>
        {
            old = previous;
            return session;
        });
        old?.TakeOver();
        return old;
    }

    public void Leave(PutMediaSession session) =>
        _current.TryRemove(new KeyValuePair<long, PutMediaSession>(session.Stream.Id, session));
}
