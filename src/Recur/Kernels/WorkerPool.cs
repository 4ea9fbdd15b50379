namespace Recur.Kernels;

/// <summary>Work split into numbered parts that may run on different threads.</summary>
internal interface IPartitionedWork
{
    /// <summary>Runs part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    void Execute(int part, int parts);
}

/// <summary>
/// Dedicated background threads for kernels that split one call into a few parts (a GEMM per
/// recurrent step takes tens of microseconds, so waking pool threads through the task
/// scheduler, as Parallel.For does, costs a noticeable share of it). The caller runs part 0
/// itself; workers spin briefly before blocking, so back-to-back calls find them awake.
/// The spin yields the core (ManualResetEventSlim's spin phase calls Thread.Yield and
/// Sleep(0)): a pause-only spin on a volatile field was tried, saved about 5% of a two-thread
/// LSTM training step, and ran normalization kernels 3× slower whenever a third thread was
/// runnable (LibTorch's OpenMP workers in the bench process), since a thread spinning for a
/// preempted partner then holds its core for a whole scheduler time slice.
/// Only one call uses the pool at a time; a concurrent or nested call runs all its parts
/// inline on its own thread, which gives the same results because every part is computed the
/// same way wherever it runs.
/// </summary>
internal static class WorkerPool
{
    private static readonly object s_gate = new();
    private static readonly CountdownEvent s_done = new(0);
    private static Worker[] s_workers = [];
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
            s_done.Reset(parts - 1);
            for (int p = 1; p < parts; p++) workers[p - 1].Start(work, p, parts, s_done);
            work.Execute(0, parts);
            s_done.Wait();
            for (int p = 1; p < parts; p++) workers[p - 1].RethrowFailure();
        }
        finally
        {
            t_inside = false;
            Monitor.Exit(s_gate);
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
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 2000);
        private IPartitionedWork? _work;
        private int _part, _parts;
        private CountdownEvent? _done;
        private Exception? _failure;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"recur-kernel-{index}" };
            thread.Start();
        }

        public void Start(IPartitionedWork work, int part, int parts, CountdownEvent done)
        {
            (_work, _part, _parts, _done, _failure) = (work, part, parts, done, null);
            _wake.Set();
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
                _wake.Wait();
                _wake.Reset();
                try
                {
                    _work!.Execute(_part, _parts);
                }
                catch (Exception e)
                {
                    // Handed to the caller, which rethrows it after every part has finished.
                    _failure = e;
                }
                _work = null;
                _done!.Signal();
            }
        }
    }
}
