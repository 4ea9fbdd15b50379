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

    /// <summary>
    /// Threads worth using for a call that touches <paramref name="elements"/> floats; below
    /// <paramref name="threshold"/> (by default 2^16) one.
    /// </summary>
    public static int ThreadsFor(long elements, long threshold = ParallelThreshold) =>
        elements < threshold ? 1 : Math.Min(Parallelism.MaxThreads, Environment.ProcessorCount);

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
        // One reusable job per work type and calling thread: the worker pool needs an object,
        // and making one per call would allocate on every kernel call.
        var job = RangeJob<TWork>.ForThisThread;
        job.Set(count, work);
        WorkerPool.Run(threads, job);
        job.Set(0, default);
    }

    /// <summary>Adapts a struct of range work to the worker pool's parts.</summary>
    private sealed class RangeJob<TWork> : IPartitionedWork where TWork : struct, IRangeWork
    {
        [ThreadStatic] private static RangeJob<TWork>? t_job;
        private TWork _work;
        private int _count;

        public static RangeJob<TWork> ForThisThread => t_job ??= new RangeJob<TWork>();

        public void Set(int count, TWork work) => (_count, _work) = (count, work);

        public void Execute(int part, int parts) =>
            _work.Run((int)((long)_count * part / parts), (int)((long)_count * (part + 1) / parts));
    }
}
