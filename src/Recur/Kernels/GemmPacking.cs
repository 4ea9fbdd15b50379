using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// Packing for the blocked GEMM (<see cref="GemmBlocked"/>): copies a block of op(A) or op(B)
/// into the panel layout the micro-kernels read, one panel per MR rows of op(A) (or NR columns
/// of op(B)), each holding, for every k step, the panel's MR (NR) values side by side, zero past
/// the matrix's edge.
/// Dimension glossary: M rows of C, N columns of C, K the shared dimension; a panel is W wide
/// (W = MR for A, NR for B).
/// <para>
/// Two cases. When the panel's values for one k step lie contiguously in the source (A stored
/// transposed, B not), packing is a strided copy of runs (<see cref="Scatter"/>). Otherwise each
/// panel value comes from a different source row and packing is a transposition: done in 8×8
/// and 4×8 register blocks (AVX), it runs about five times faster than element by element, which
/// matters when op(A) has few columns of C to be reused over (the recurrent step product
/// (32×H)·(H×4H) spends as long packing its 32 rows element by element as in a fifth of its
/// arithmetic).
/// </para>
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[ic..ic+mc, pc..pc+kc) into ⌈mc/MR⌉ panels; panel i holds, for each k step,
    /// the MR values of rows i·MR.. (zero past mc).
    /// </summary>
    internal static void PackA(float* a, nint lda, bool transA, int ic, int pc, int mc, int kc, int mr, bool vector, float* dst)
    {
        if (transA)
        {
            // op(A)(i, p) = a[p·lda + i]: each k step is one contiguous run across all panels.
            // Reading it in one sweep keeps the reads sequential; walking panel by panel
            // instead would visit kc rows a whole leading dimension apart for every panel.
            for (int p = 0; p < kc; p++)
                Scatter(a + (pc + p) * lda + ic, mc, mr, dst + p * mr, (nint)mr * kc);
            return;
        }
        // op(A)(i, p) = a[i·lda + p]: each panel is a transposition of MR rows.
        for (int ir = 0; ir < mc; ir += mr)
            TransposeRows(a + (ic + ir) * lda + pc, lda, Math.Min(mr, mc - ir), kc, mr, vector, dst + (nint)ir * kc);
    }

    /// <summary>
    /// Packs op(B)[pc..pc+kc, jc..jc+nc) into ⌈nc/NR⌉ panels; panel j holds, for each k step,
    /// the NR values of columns j·NR.. (zero past nc).
    /// </summary>
    internal static void PackB(float* b, nint ldb, bool transB, int pc, int jc, int kc, int nc, int nr, bool vector, float* dst)
    {
        if (!transB)
        {
            // op(B)(p, j) = b[p·ldb + j]: each k step is one contiguous run across all panels.
            for (int p = 0; p < kc; p++)
                Scatter(b + (pc + p) * ldb + jc, nc, nr, dst + p * nr, (nint)nr * kc);
            return;
        }
        // op(B)(p, j) = b[j·ldb + p]: each panel is a transposition of NR rows of b.
        for (int jr = 0; jr < nc; jr += nr)
            TransposeRows(b + (jc + jr) * ldb + pc, ldb, Math.Min(nr, nc - jr), kc, nr, vector, dst + (nint)jr * kc);
    }

    /// <summary>
    /// Copies a run of <paramref name="count"/> values into consecutive panels of width
    /// <paramref name="width"/>, <paramref name="panelStride"/> floats apart, zero-padding the last.
    /// </summary>
    private static void Scatter(float* src, int count, int width, float* dst, nint panelStride)
    {
        for (int start = 0; start < count; start += width, dst += panelStride)
        {
            int n = Math.Min(width, count - start);
            int q = 0;
            for (; q + 4 <= n; q += 4) Vector128.Store(Vector128.Load(src + start + q), dst + q);
            for (; q < n; q++) dst[q] = src[start + q];
            for (; q < width; q++) dst[q] = 0f;
        }
    }

    /// <summary>
    /// One panel from <paramref name="rows"/> ≤ <paramref name="width"/> source rows of
    /// <paramref name="kc"/> values (<paramref name="ld"/> apart): dst[p·width + r] = src[r·ld + p],
    /// zero for rows ≤ r &lt; width.
    /// </summary>
    private static void TransposeRows(float* src, nint ld, int rows, int kc, int width, bool vector, float* dst)
    {
        int r = 0;
        if (vector && Avx.IsSupported)
        {
            for (; r + 8 <= rows; r += 8) Transpose8Rows(src + r * ld, ld, kc, width, dst + r);
            if (r + 4 <= rows)
            {
                Transpose4Rows(src + r * ld, ld, kc, width, dst + r);
                r += 4;
            }
        }
        for (; r < rows; r++)
        {
            float* s = src + r * ld;
            float* d = dst + r;
            for (int p = 0; p < kc; p++) d[p * width] = s[p];
        }
        for (; r < width; r++)
            for (int p = 0; p < kc; p++) dst[p * width + r] = 0f;
    }

    /// <summary>Eight rows: 8×8 blocks transposed in registers, as two 4×8 halves whose 128-bit lanes are then exchanged.</summary>
    private static void Transpose8Rows(float* src, nint ld, int kc, int width, float* dst)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            var (u0, u1, u2, u3) = Interleave4(src + p, ld);
            var (v0, v1, v2, v3) = Interleave4(src + 4 * ld + p, ld);
            float* d = dst + (nint)p * width;
            Avx.Store(d, Avx.Permute2x128(u0, v0, 0x20));
            Avx.Store(d + width, Avx.Permute2x128(u1, v1, 0x20));
            Avx.Store(d + 2 * width, Avx.Permute2x128(u2, v2, 0x20));
            Avx.Store(d + 3 * width, Avx.Permute2x128(u3, v3, 0x20));
            Avx.Store(d + 4 * width, Avx.Permute2x128(u0, v0, 0x31));
            Avx.Store(d + 5 * width, Avx.Permute2x128(u1, v1, 0x31));
            Avx.Store(d + 6 * width, Avx.Permute2x128(u2, v2, 0x31));
            Avx.Store(d + 7 * width, Avx.Permute2x128(u3, v3, 0x31));
        }
        for (; p < kc; p++)
            for (int r = 0; r < 8; r++) dst[p * width + r] = src[r * ld + p];
    }

    /// <summary>Four rows: 4×8 blocks transposed in registers.</summary>
    private static void Transpose4Rows(float* src, nint ld, int kc, int width, float* dst)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            var (u0, u1, u2, u3) = Interleave4(src + p, ld);
            float* d = dst + (nint)p * width;
            Sse.Store(d, u0.GetLower());
            Sse.Store(d + width, u1.GetLower());
            Sse.Store(d + 2 * width, u2.GetLower());
            Sse.Store(d + 3 * width, u3.GetLower());
            Sse.Store(d + 4 * width, u0.GetUpper());
            Sse.Store(d + 5 * width, u1.GetUpper());
            Sse.Store(d + 6 * width, u2.GetUpper());
            Sse.Store(d + 7 * width, u3.GetUpper());
        }
        for (; p < kc; p++)
            for (int r = 0; r < 4; r++) dst[p * width + r] = src[r * ld + p];
    }

    /// <summary>
    /// Reads 8 values from each of four rows (<paramref name="ld"/> apart) and returns them
    /// column-wise: u_q holds column q of the four rows in its low 128 bits and column q + 4 in
    /// its high 128 bits (pairs of rows interleaved, then pairs of pairs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>) Interleave4(float* s, nint ld)
    {
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + ld);
        var r2 = Avx.LoadVector256(s + 2 * ld);
        var r3 = Avx.LoadVector256(s + 3 * ld);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        return (Avx.Shuffle(t0, t2, 0x44), Avx.Shuffle(t0, t2, 0xEE), Avx.Shuffle(t1, t3, 0x44), Avx.Shuffle(t1, t3, 0xEE));
    }
}
