namespace Recur.Kernels;

/// <summary>
/// How many threads kernels may use (PyTorch's torch.set_num_threads). Results never depend on
/// it: work is split so that every output element is computed by one thread in one fixed
/// order, so any thread count gives the same bits.
/// </summary>
public static class Parallelism
{
    private static int s_maxThreads = Environment.ProcessorCount;

    /// <summary>Upper bound on threads per kernel call; defaults to the processor count.</summary>
    public static int MaxThreads
    {
        get => s_maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            s_maxThreads = value;
        }
    }
}
