namespace VideoStreams.Media.IO;

/// <summary>
/// A small bounded queue between two threads that blocks instead of spinning. BlockingCollection spins (yielding the
/// processor thousands of times) before it sleeps; on a two-core machine with a reader, a parser and a writer that
/// spinning takes the very cores the others need.
/// </summary>
internal sealed class HandoffQueue<T>(int capacity)
{
    private readonly Queue<T> _items = new(capacity);
    private bool _completed;

    /// <summary>Adds an item, waiting while the queue is full. False when the queue was completed.</summary>
    public bool TryAdd(T item)
    {
        lock (_items)
        {
            while (_items.Count >= capacity && !_completed)
            {
                Monitor.Wait(_items);
            }

            if (_completed)
            {
                return false;
            }

            _items.Enqueue(item);
            Monitor.PulseAll(_items);
            return true;
        }
    }

    /// <summary>Takes the oldest item, waiting while the queue is empty. False once it is completed and empty.</summary>
    public bool TryTake(out T item)
    {
        lock (_items)
        {
            while (_items.Count == 0 && !_completed)
            {
                Monitor.Wait(_items);
            }

            if (_items.Count == 0)
            {
                item = default!;
                return false;
            }

            item = _items.Dequeue();
            Monitor.PulseAll(_items);
            return true;
        }
    }

    /// <summary>No more items will be added; takers drain what is left.</summary>
    public void Complete()
    {
        lock (_items)
        {
            _completed = true;
            Monitor.PulseAll(_items);
        }
    }

    /// <summary>Removes what is left (after <see cref="Complete"/>), for returning pooled buffers.</summary>
    public bool TryTakeLeftover(out T item)
    {
        lock (_items)
        {
            return _items.TryDequeue(out item!);
        }
    }
}
