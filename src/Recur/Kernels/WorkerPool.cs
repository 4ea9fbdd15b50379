using System.Diagnostics;

namespace Recur.Kernels;

/// <summary>Work split into numbered parts that may run on different threads.</summary>
internal interface IPartitionedWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    void Execute(int part, int parts);
}

/// <summary>
/// Dedicated background threads for kernels that split one call into a few parts. A recurrent
/// step's matrix product takes tens of microseconds and a training step makes thousands of
/// them, so the hand-off itself must cost well under a microsecond: the caller publishes the
/// work through a volatile field and runs part 0 itself; an idle worker spins on that field
/// for up to <see cref="SpinSeconds"/> before blocking (as OpenMP runtimes do, whose
/// KMP_BLOCKTIME defaults to 200 ms), and the caller spins on a counter of unfinished parts.
/// With ManualResetEventSlim and CountdownEvent each call cost about 2 µs, and a caller that
/// finished first could fall asleep in the kernel and wake tens of microseconds late.
/// Only one call uses the pool at a time; a concurrent or nested call runs all its parts
/// inline on its own thread, which gives the same results because every part is computed the
/// same way wherever it runs.
/// </summary>
internal static class WorkerPool
{
    // How long an idle worker keeps spinning for the next call before it blocks: longer than
    // the sequential work between two parallel calls of a training or decoding step (tens of
    // microseconds), short enough that an idle process gives its cores back at once.
    private const double SpinSeconds = 200e-6;

    private static readonly object s_gate = new();
    private static Worker[] s_workers = [];
    private static int s_pending;
    [ThreadStatic] private static bool t_inside;

    /// <summary>Runs parts 0…parts−1 of <paramref name="work"/> and returns when all are done.</summary>
    public static void Run(int parts, IPartitionedWork work)
    {
        if (parts <= 1 || t_inside || !Monitor.TryEnter(s_gate))
        {
            for (int p = 0; p < parts; p++) work.Execute(p, parts);
            return;
        }
        try
        {
            t_inside = true;
            var workers = EnsureWorkers(parts - 1);
            Volatile.Write(ref s_pending, parts - 1);
            for (int p = 1; p < parts; p++) workers[p - 1].Start(work, p, parts);
            work.Execute(0, parts);
            WaitForWorkers();
            for (int p = 1; p < parts; p++) workers[p - 1].RethrowFailure();
        }
        finally
        {
            t_inside = false;
            Monitor.Exit(s_gate);
        }
    }

    // The workers are running parts of this call, so the wait is as short as the longest part:
    // spin, and only yield the core if it runs long (another process may hold the other core).
    private static void WaitForWorkers()
    {
        var spinner = new SpinWait();
        for (int i = 0; Volatile.Read(ref s_pending) != 0; i++)
        {
            if (i < 1 << 14) Thread.SpinWait(4);
            else spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        if (s_workers.Length < count)
        {
            var grown = new Worker[count];
            Array.Copy(s_workers, grown, s_workers.Length);
            for (int i = s_workers.Length; i < count; i++) grown[i] = new Worker(i + 1);
            s_workers = grown;
        }
        return s_workers;
    }

    private sealed class Worker
    {
        private static readonly long s_spinTicks = (long)(SpinSeconds * Stopwatch.Frequency);
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 1);
        private volatile IPartitionedWork? _work;
        private volatile bool _sleeping;
        private int _part, _parts;
        private Exception? _failure;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"recur-kernel-{index}" };
            thread.Start();
        }

        public void Start(IPartitionedWork work, int part, int parts)
        {
            (_part, _parts, _failure) = (part, parts, null);
            _work = work; // volatile: publishes the fields above with it
            // A worker that has announced it is going to sleep is woken; one still spinning
            // sees _work. Each side stores its flag, fences, then loads the other's (Dekker),
            // so at least one of them sees the other's store and no call is missed.
            Interlocked.MemoryBarrier();
            if (_sleeping) _wake.Set();
        }

        public void RethrowFailure()
        {
            if (_failure is { } e)
            {
                _failure = null;
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
            }
        }

        private void Loop()
        {
            while (true)
            {
                var work = AwaitWork();
                _work = null;
                try
                {
                    work.Execute(_part, _parts);
                }
                catch (Exception e)
                {
                    // Handed to the caller, which rethrows it after every part has finished.
                    _failure = e;
                }
                Interlocked.Decrement(ref s_pending);
            }
        }

        private IPartitionedWork AwaitWork()
        {
            long deadline = Stopwatch.GetTimestamp() + s_spinTicks;
            for (int i = 0; ; i++)
            {
                if (_work is { } work) return work;
                Thread.SpinWait(4);
                if ((i & 63) == 63 && Stopwatch.GetTimestamp() > deadline) break;
            }
            while (true)
            {
                _wake.Reset();
                _sleeping = true;
                Interlocked.MemoryBarrier(); // the store of _sleeping before the load of _work: see Start

                if (_work is { } work)
                {
                    _sleeping = false;
                    return work;
                }
                _wake.Wait();
                _sleeping = false;
            }
        }
    }
}
