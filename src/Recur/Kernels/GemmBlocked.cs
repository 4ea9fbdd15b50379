using System.Runtime.CompilerServices;

namespace Recur.Kernels;

/// <summary>
/// The cache-blocked GEMM loop nest of Goto &amp; van de Geijn (2008), as BLIS arranges it:
/// for each NC-wide column block of B and KC-deep slice of k, B is packed into NR-wide
/// panels (kept in L2); for each MC-tall row block of A, A is packed into MR-tall panels;
/// then each MR×kc sliver of A stays in L1 while the micro-kernel sweeps its row of MR×NR
/// tiles of C, streaming the panels of B from L2. Packing pads ragged edges with zeros, so
/// the micro-kernel always runs full tiles; ragged tiles of C go through a scratch tile.
/// Dimension glossary: M rows of C, N columns of C, K the shared dimension.
/// </summary>
internal static unsafe class GemmBlocked
{
    // Block sizes, tuned with the gemm bench on a Xeon with 48 KiB L1d and 2 MiB L2 per core:
    // a kc×NC panel of packed B (1 MiB) stays in L2 while the MR×kc slivers (12 KiB) of an
    // MC×kc block of A take turns in L1. NC = 1024 rather than all of N keeps the panel in L2
    // at N = 2048 (ratio to torch there: NC 512 0.90, 1024 0.94, 2048 0.83); KC 256 beat
    // 192 (0.92: each tile of C is loaded and stored once per slice) and 384 (0.92).
    internal const int KC = 256;
    internal const int MC = 192;
    internal const int NC = 1024;

    /// <summary>The micro-kernels and their tile shapes.</summary>
    internal enum MicroKernel { K12x32, K8x32, K6x16, Scalar4x8 }

    /// <summary>The micro-kernel one product uses, and its tile shape MR×NR.</summary>
    internal readonly struct KernelShape
    {
        public readonly MicroKernel Kernel;
        public readonly int Mr, Nr;

        private KernelShape(MicroKernel kernel, int mr, int nr) => (Kernel, Mr, Nr) = (kernel, mr, nr);

        /// <summary>
        /// The widest kernel the level allows (short blocks of rows on AVX-512 also use
        /// <see cref="Short"/>: see <see cref="TallRows"/>).
        /// </summary>
        public static KernelShape For(SimdLevel level) => level switch
        {
            SimdLevel.Vector512 => new(MicroKernel.K12x32, 12, 32),
            SimdLevel.Vector256 => new(MicroKernel.K6x16, 6, 16),
            _ => new(MicroKernel.Scalar4x8, 4, 8),
        };

        /// <summary>The 8-row AVX-512 kernel that finishes short blocks of rows.</summary>
        public static KernelShape Short => new(MicroKernel.K8x32, 8, 32);
    }

    /// <summary>
    /// How many of a block's <paramref name="mc"/> rows go through the main kernel's MR-row
    /// tiles; the rest go through 8-row tiles. On AVX-512, a short block (M ≤ 64, the batch
    /// of a recurrent step) is covered by 12a + 8b rows, as few as possible and then with as
    /// many 12-row tiles as possible: M = 32 → 12 + 12 + 8, not 12·3 (4 rows of padding) nor
    /// 8·4. The 12-row tile does more arithmetic per load of B, and the first tile of each
    /// panel, which reads B from its strided rows (<see cref="Run"/>), hides more of that
    /// reading behind its arithmetic (32×256×1024: about 105 µs → 101 µs, Xeon).
    /// </summary>
    internal static int TallRows(KernelShape ks, int mc)
    {
        if (ks.Kernel != MicroKernel.K12x32 || mc > 64) return mc;
        int best = 0, bestRows = int.MaxValue;
        for (int tall = 0; tall <= RoundUp(mc, 12); tall += 12)
        {
            int rows = tall + RoundUp(Math.Max(mc - tall, 0), 8);
            if (rows <= bestRows) (best, bestRows) = (tall, rows);
        }
        return Math.Min(best, mc);
    }

    /// <summary>Floats of packing space one thread needs for A and for B.</summary>
    internal static (int A, int B) BufferSizes(KernelShape ks) =>
        (RoundUp(MC, ks.Mr) * KC, RoundUp(NC, ks.Nr) * KC);

    /// <summary>
    /// C[m0..m1, n0..n1) ← α·op(A)·op(B) + β·C for that block of C, single-threaded.
    /// op(A) is M×K: A is row-major M×K (lda) or, when transA, K×M. op(B) is K×N: B is K×N
    /// (ldb) or, when transB, N×K — or, when <paramref name="prepacked"/> is not null, all of
    /// op(B) already packed by <see cref="GemmPacking.PackB"/> with kc = K (then b is not read).
    /// </summary>
    internal static void Run(
        float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* prepacked, float* c, nint ldc,
        int m0, int m1, int n0, int n1, int k, float alpha, float beta,
        KernelShape ks, float* packA, float* packB)
    {
        int mr = ks.Mr, nr = ks.Nr;
        float* tile = stackalloc float[mr * nr];
        // With one row block of A, packing all of B first would cost an extra write and
        // re-read of it from L2/L3. Instead the first tile of each panel reads B in place and
        // copies the sliver into a small L1-resident buffer as it goes; the panel's other
        // tiles read that copy. Ragged last panels are packed up front as usual.
        bool vector = ks.Kernel != MicroKernel.Scalar4x8;
        bool bInPlace = prepacked is null && !transB && m1 - m0 <= MC && vector;
        for (int jc = n0; jc < n1; jc += NC)
        {
            int nc = Math.Min(NC, n1 - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                float betaBlock = pc == 0 ? beta : 1f;
                if (prepacked is null && !bInPlace) GemmPacking.PackB(b, ldb, transB, pc, jc, kc, nc, nr, vector, packB);
                for (int ic = m0; ic < m1; ic += MC)
                {
                    int mc = Math.Min(MC, m1 - ic);
                    int tall = TallRows(ks, mc);
                    GemmPacking.PackA(a, lda, transA, ic, pc, tall, kc, mr, vector, packA);
                    if (tall < mc) GemmPacking.PackA(a, lda, transA, ic + tall, pc, mc - tall, kc, KernelShape.Short.Mr, vector, packA + (nint)tall * kc);
                    if (bInPlace)
                    {
                        // Panel by panel: the first tile of each packs its sliver of B as it goes.
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int nb = Math.Min(nr, nc - jr);
                            float* cb = c + ic * ldc + jc + jr;
                            if (nb < nr) GemmPacking.PackB(b, ldb, transB, pc, jc + jr, kc, nb, nr, vector, packB);
                            for (int ir = 0, tileRows; ir < mc; ir += tileRows)
                            {
                                var tk = ir < tall ? ks : KernelShape.Short;
                                tileRows = tk.Mr;
                                int mb = Math.Min(tk.Mr, mc - ir);
                                float* ap = packA + (nint)ir * kc;
                                if (ir > 0 || nb < nr)
                                {
                                    Tile(tk, kc, ap, packB, nr, cb + ir * ldc, ldc, mb, nb, alpha, betaBlock, tile);
                                    continue;
                                }
                                bool full = mb == tk.Mr;
                                KernelPacking(tk, kc, ap, b + pc * ldb + jc + jr, ldb, packB, full ? cb : tile, full ? ldc : nr, alpha, full ? betaBlock : 0f);
                                if (!full) MergeTile(tile, nr, cb, ldc, mb, nb, betaBlock);
                            }
                        }
                        continue;
                    }
                    // Tile row by tile row: one MR×kc sliver of A stays in L1 while the packed
                    // panels of B stream past it from L2, as BLIS orders its loops (Van Zee &
                    // van de Geijn 2015, loops 2 and 1). The sliver of A is small (12×kc), so the
                    // streamed B and the tiles of C still find room in L1; keeping a 32-wide
                    // sliver of B there instead leaves none, which cost large products ~10%.
                    for (int ir = 0, tileRows; ir < mc; ir += tileRows)
                    {
                        var tk = ir < tall ? ks : KernelShape.Short;
                        tileRows = tk.Mr;
                        int mb = Math.Min(tk.Mr, mc - ir);
                        float* ap = packA + (nint)ir * kc;
                        float* cr = c + (ic + ir) * ldc + jc;
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            float* bp = prepacked is not null ? prepacked + (nint)(jc + jr) * k + (nint)pc * nr : packB + (nint)jr * kc;
                            Tile(tk, kc, ap, bp, nr, cr + jr, ldc, mb, Math.Min(nr, nc - jr), alpha, betaBlock, tile);
                        }
                    }
                }
            }
        }
    }

    /// <summary>One tile of C from packed slivers; a ragged tile goes through the scratch <paramref name="tile"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(KernelShape tk, int kc, float* a, float* b, int nr, float* c, nint ldc, int mb, int nb, float alpha, float beta, float* tile)
    {
        if (mb == tk.Mr && nb == nr)
        {
            Kernel(tk, kc, a, b, nr, c, ldc, alpha, beta);
            return;
        }
        Kernel(tk, kc, a, b, nr, tile, nr, alpha, 0f);
        MergeTile(tile, nr, c, ldc, mb, nb, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void KernelPacking(KernelShape ks, int kc, float* a, float* b, nint bStride, float* bPacked, float* c, nint ldc, float alpha, float beta)
    {
        switch (ks.Kernel)
        {
            case MicroKernel.K12x32: GemmMicroKernels.Kernel12x32Pack(kc, a, b, bStride, bPacked, c, ldc, alpha, beta); break;
            case MicroKernel.K8x32: GemmMicroKernels.Kernel8x32Pack(kc, a, b, bStride, bPacked, c, ldc, alpha, beta); break;
            case MicroKernel.K6x16: GemmMicroKernels.Kernel6x16Pack(kc, a, b, bStride, bPacked, c, ldc, alpha, beta); break;
            default: throw new InvalidOperationException("The scalar kernel does not pack as it goes.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(KernelShape ks, int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        switch (ks.Kernel)
        {
            case MicroKernel.K12x32: GemmMicroKernels.Kernel12x32(kc, a, b, bStride, c, ldc, alpha, beta); break;
            case MicroKernel.K8x32: GemmMicroKernels.Kernel8x32(kc, a, b, bStride, c, ldc, alpha, beta); break;
            case MicroKernel.K6x16: GemmMicroKernels.Kernel6x16(kc, a, b, bStride, c, ldc, alpha, beta); break;
            default: ScalarKernel(ks.Mr, ks.Nr, kc, a, b, bStride, c, ldc, alpha, beta); break;
        }
    }

    /// <summary>The portable micro-kernel: the same contract as the vector ones, in plain loops.</summary>
    private static void ScalarKernel(int mr, int nr, int kc, float* a, float* b, nint bStride, float* c, nint ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[mr * nr];
        new Span<float>(acc, mr * nr).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < mr; r++)
            {
                float ar = a[r];
                float* row = acc + r * nr;
                for (int q = 0; q < nr; q++) row[q] = MathF.FusedMultiplyAdd(ar, b[q], row[q]);
            }
            a += mr;
            b += bStride;
        }
        for (int r = 0; r < mr; r++)
        {
            float* cr = c + r * ldc;
            float* row = acc + r * nr;
            for (int q = 0; q < nr; q++)
                cr[q] = beta == 0f ? alpha * row[q] : MathF.FusedMultiplyAdd(alpha, row[q], beta * cr[q]);
        }
    }

    /// <summary>C[0..mb, 0..nb) ← tile + β·C (tile already holds α·AB).</summary>
    private static void MergeTile(float* tile, int nr, float* c, nint ldc, int mb, int nb, float beta)
    {
        for (int r = 0; r < mb; r++)
        {
            float* cr = c + r * ldc;
            float* tr = tile + r * nr;
            if (beta == 0f)
                for (int q = 0; q < nb; q++) cr[q] = tr[q];
            else
                for (int q = 0; q < nb; q++) cr[q] = MathF.FusedMultiplyAdd(beta, cr[q], tr[q]);
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
