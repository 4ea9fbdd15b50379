namespace Recur.Kernels;

/// <summary>A piece of work over a range of independent items (rows, groups, chunks).</summary>
internal interface IRangeWork
{
    /// <summary>Does items [start, end).</summary>
    void Run(int start, int end);
}

/// <summary>
/// Splits [0, count) into contiguous ranges, one per thread, up to
/// <see cref="Parallelism.MaxThreads"/>. Callers make every item's result independent of the
/// split (each output written by one item, reductions combined in item order afterwards), so
/// any thread count gives the same bits. The work is a struct so that the one-thread path
/// calls it directly, with no delegate or allocation.
/// </summary>
internal static class ParallelRanges
{
    // Below this many floats of work per call a second thread costs more to wake than it saves.
    private const long ParallelThreshold = 1L << 16;

    /// <summary>Threads worth using for a call that touches <paramref name="elements"/> floats.</summary>
    public static int ThreadsFor(long elements) =>
        elements < ParallelThreshold ? 1 : Math.Min(Parallelism.MaxThreads, Environment.ProcessorCount);

    /// <summary>Runs <paramref name="work"/> over [0, count) on up to <paramref name="threads"/> threads.</summary>
    public static void For<TWork>(int count, int threads, TWork work) where TWork : struct, IRangeWork
    {
        threads = Math.Min(threads, count);
        if (threads <= 1)
        {
            if (count > 0) work.Run(0, count);
            return;
        }
        RunParallel(count, threads, work);
    }

    private static void RunParallel<TWork>(int count, int threads, TWork work) where TWork : struct, IRangeWork
    {
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            work.Run((int)((long)count * t / threads), (int)((long)count * (t + 1) / threads)));
    }
}
