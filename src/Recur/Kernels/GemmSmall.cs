using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Products with very few rows of C (M ≤ <see cref="MaxRows"/>): the single-step recurrent
/// product of decoding at batch 1 to 4. Packing and register tiles would waste most of their
/// work on padding here; instead each row of B (or of Bᵀ) is streamed once and applied to all
/// M rows of C, which makes the product as fast as reading B.
/// NN/TN: c_i += α·a_ip·B[p, :] over p (axpy rows, vectorized along N, in column chunks that
/// stay in L1). NT/TT: c_ij = α·⟨a_i, B[j, :]⟩ (dot products, vectorized along K).
/// </summary>
internal static unsafe class GemmSmall
{
    internal const int MaxRows = 4;

    // Contiguous copy of op(A)'s rows when A is stored transposed (pinned, so a pointer is safe).
    [ThreadStatic] private static float[]? t_rows;

    // Columns of C per chunk in the axpy form: MaxRows rows of it stay in L1.
    private const int ChunkColumns = 1024;

    /// <summary>C[0..m, n0..n1) ← α·op(A)·op(B) + β·C, single-threaded.</summary>
    internal static void Run(float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* c, nint ldc,
        int m, int n0, int n1, int k, float alpha, float beta, SimdLevel level)
    {
        if (transB) RunDots(a, lda, transA, b, ldb, c, ldc, m, n0, n1, k, alpha, beta, level);
        else RunAxpys(a, lda, transA, b, ldb, c, ldc, m, n0, n1, k, alpha, beta, level);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float A(float* a, nint lda, bool transA, int i, int p) => transA ? a[p * lda + i] : a[i * lda + p];

    private static void RunAxpys(float* a, nint lda, bool transA, float* b, nint ldb, float* c, nint ldc,
        int m, int n0, int n1, int k, float alpha, float beta, SimdLevel level)
    {
        for (int j0 = n0; j0 < n1; j0 += ChunkColumns)
        {
            int len = Math.Min(ChunkColumns, n1 - j0);
            for (int i = 0; i < m; i++) ScaleRow(c + i * ldc + j0, len, beta);
            for (int p = 0; p < k; p++)
            {
                float* brow = b + p * ldb + j0;
                for (int i = 0; i < m; i++)
                {
                    float s = alpha * A(a, lda, transA, i, p);
                    if (s != 0f) Axpy(s, brow, c + i * ldc + j0, len, level);
                }
            }
        }
    }

    private static void RunDots(float* a, nint lda, bool transA, float* b, nint ldb, float* c, nint ldc,
        int m, int n0, int n1, int k, float alpha, float beta, SimdLevel level)
    {
        // Rows of op(A) must be contiguous for the dot products; copy them when A is transposed.
        float* ar = a;
        nint ldar = lda;
        if (transA)
        {
            ar = (float*)Unsafe.AsPointer(ref CacheLine.EnsurePinned(ref t_rows, m * k)[0]);
            for (int i = 0; i < m; i++)
                for (int p = 0; p < k; p++) ar[i * k + p] = a[p * lda + i];
            ldar = k;
        }
        Span<float> dots = stackalloc float[4];
        for (int j = n0; j < n1; j++)
        {
            float* brow = b + j * ldb;
            int i = 0;
            // Four rows of A at a time share every load of B's row.
            for (; i + 4 <= m; i += 4)
            {
                Dot4(ar + i * ldar, ldar, brow, k, level, dots);
                for (int r = 0; r < 4; r++) Store(c + (i + r) * ldc + j, dots[r], alpha, beta);
            }
            for (; i < m; i++) Store(c + i * ldc + j, Dot(ar + i * ldar, brow, k, level), alpha, beta);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* cij, float dot, float alpha, float beta) =>
        *cij = beta == 0f ? alpha * dot : MathF.FusedMultiplyAdd(alpha, dot, beta * *cij);

    /// <summary>dots[r] = ⟨x_r, y⟩ for the four rows x_r = x + r·ldx.</summary>
    private static void Dot4(float* x, nint ldx, float* y, int len, SimdLevel level, Span<float> dots)
    {
        float* x1 = x + ldx, x2 = x1 + ldx, x3 = x2 + ldx;
        int p = 0;
        float d0 = 0f, d1 = 0f, d2 = 0f, d3 = 0f;
        if (level == SimdLevel.Vector512 && len >= 16)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; p <= len - 16; p += 16)
            {
                var yv = Vector512.Load(y + p);
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + p), yv, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(x1 + p), yv, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Load(x2 + p), yv, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Load(x3 + p), yv, s3);
            }
            (d0, d1, d2, d3) = (Vector512.Sum(s0), Vector512.Sum(s1), Vector512.Sum(s2), Vector512.Sum(s3));
        }
        else if (level >= SimdLevel.Vector256 && len >= 8)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; p <= len - 8; p += 8)
            {
                var yv = Vector256.Load(y + p);
                s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), yv, s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Load(x1 + p), yv, s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.Load(x2 + p), yv, s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.Load(x3 + p), yv, s3);
            }
            (d0, d1, d2, d3) = (Vector256.Sum(s0), Vector256.Sum(s1), Vector256.Sum(s2), Vector256.Sum(s3));
        }
        for (; p < len; p++)
        {
            float yp = y[p];
            d0 = MathF.FusedMultiplyAdd(x[p], yp, d0);
            d1 = MathF.FusedMultiplyAdd(x1[p], yp, d1);
            d2 = MathF.FusedMultiplyAdd(x2[p], yp, d2);
            d3 = MathF.FusedMultiplyAdd(x3[p], yp, d3);
        }
        (dots[0], dots[1], dots[2], dots[3]) = (d0, d1, d2, d3);
    }

    private static void ScaleRow(float* c, int len, float beta)
    {
        if (beta == 1f) return;
        var row = new Span<float>(c, len);
        if (beta == 0f) row.Clear();
        else Elementwise.Scale(beta, row);
    }

    private static void Axpy(float s, float* x, float* y, int len, SimdLevel level)
    {
        int j = 0;
        if (level == SimdLevel.Vector512)
        {
            var vs = Vector512.Create(s);
            for (; j <= len - 16; j += 16)
                Vector512.FusedMultiplyAdd(vs, Vector512.Load(x + j), Vector512.Load(y + j)).Store(y + j);
        }
        else if (level >= SimdLevel.Vector256)
        {
            var vs = Vector256.Create(s);
            for (; j <= len - 8; j += 8)
                Vector256.FusedMultiplyAdd(vs, Vector256.Load(x + j), Vector256.Load(y + j)).Store(y + j);
        }
        for (; j < len; j++) y[j] = MathF.FusedMultiplyAdd(s, x[j], y[j]);
    }

    private static float Dot(float* x, float* y, int len, SimdLevel level)
    {
        int p = 0;
        float sum = 0f;
        if (level == SimdLevel.Vector512 && len >= 32)
        {
            var s0 = Vector512<float>.Zero;
            var s1 = Vector512<float>.Zero;
            for (; p <= len - 32; p += 32)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + p), Vector512.Load(y + p), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Load(x + p + 16), Vector512.Load(y + p + 16), s1);
            }
            sum = Vector512.Sum(s0 + s1);
        }
        else if (level >= SimdLevel.Vector256 && len >= 16)
        {
            var s0 = Vector256<float>.Zero;
            var s1 = Vector256<float>.Zero;
            for (; p <= len - 16; p += 16)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p + 8), Vector256.Load(y + p + 8), s1);
            }
            sum = Vector256.Sum(s0 + s1);
        }
        for (; p < len; p++) sum = MathF.FusedMultiplyAdd(x[p], y[p], sum);
        return sum;
    }
}
