using System.Runtime.CompilerServices;

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

    /// <summary>C[0..m, n0..n1) ← α·op(A)·op(B) + β·C, single-threaded, at vector width <paramref name="level"/>.</summary>
    internal static void Run(float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* c, nint ldc,
        int m, int n0, int n1, int k, float alpha, float beta, SimdLevel level)
    {
        var loop = new Product(a, lda, transA, b, ldb, transB, c, ldc, m, n0, n1, k, alpha, beta);
        VectorLoop.Run(ref loop, level);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float A(float* a, nint lda, bool transA, int i, int p) => transA ? a[p * lda + i] : a[i * lda + p];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* cij, float dot, float alpha, float beta) =>
        *cij = beta == 0f ? alpha * dot : MathF.FusedMultiplyAdd(alpha, dot, beta * *cij);

    private static void ScaleRow(float* c, int len, float beta)
    {
        if (beta == 1f) return;
        var row = new Span<float>(c, len);
        if (beta == 0f) row.Clear();
        else Elementwise.Scale(beta, row);
    }

    // The product's arguments; Run is written once over the vector width.
    private readonly struct Product(float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* c, nint ldc,
        int m, int n0, int n1, int k, float alpha, float beta) : IVectorLoop
    {
        public void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct
        {
            if (transB) RunDots<W, V>();
            else RunAxpys<W, V>();
        }

        private void RunAxpys<W, V>() where W : struct, IVectorWidth<V> where V : struct
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
                        if (s != 0f) Axpy<W, V>(s, brow, c + i * ldc + j0, len);
                    }
                }
            }
        }

        private void RunDots<W, V>() where W : struct, IVectorWidth<V> where V : struct
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
            float* dots = stackalloc float[4];
            if (m < 4)
            {
                // One to three rows (a decoding step): four columns of C at a time share every
                // load of A's row and keep four accumulators in flight, so the product streams
                // B (the weights) at close to the cache's bandwidth.
                int j4 = n0;
                for (; j4 + 4 <= n1; j4 += 4)
                    for (int i = 0; i < m; i++)
                    {
                        Dot4<W, V>(b + j4 * ldb, ldb, ar + i * ldar, k, dots);
                        for (int r = 0; r < 4; r++) Store(c + i * ldc + j4 + r, dots[r], alpha, beta);
                    }
                for (; j4 < n1; j4++)
                    for (int i = 0; i < m; i++) Store(c + i * ldc + j4, Dot<W, V>(ar + i * ldar, b + j4 * ldb, k), alpha, beta);
                return;
            }
            for (int j = n0; j < n1; j++)
            {
                float* brow = b + j * ldb;
                int i = 0;
                // Four rows of A at a time share every load of B's row.
                for (; i + 4 <= m; i += 4)
                {
                    Dot4<W, V>(ar + i * ldar, ldar, brow, k, dots);
                    for (int r = 0; r < 4; r++) Store(c + (i + r) * ldc + j, dots[r], alpha, beta);
                }
                for (; i < m; i++) Store(c + i * ldc + j, Dot<W, V>(ar + i * ldar, brow, k), alpha, beta);
            }
        }

        /// <summary>dots[r] = ⟨x_r, y⟩ for the four rows x_r = x + r·ldx.</summary>
        private static void Dot4<W, V>(float* x, nint ldx, float* y, int len, float* dots) where W : struct, IVectorWidth<V> where V : struct
        {
            float* x1 = x + ldx, x2 = x1 + ldx, x3 = x2 + ldx;
            int p = 0;
            float d0 = 0f, d1 = 0f, d2 = 0f, d3 = 0f;
            if (W.Count > 1 && len >= W.Count)
            {
                V s0 = W.Zero, s1 = W.Zero, s2 = W.Zero, s3 = W.Zero;
                for (; p <= len - W.Count; p += W.Count)
                {
                    V yv = W.Load(y + p);
                    s0 = W.FusedMultiplyAdd(W.Load(x + p), yv, s0);
                    s1 = W.FusedMultiplyAdd(W.Load(x1 + p), yv, s1);
                    s2 = W.FusedMultiplyAdd(W.Load(x2 + p), yv, s2);
                    s3 = W.FusedMultiplyAdd(W.Load(x3 + p), yv, s3);
                }
                (d0, d1, d2, d3) = (W.HorizontalSum(s0), W.HorizontalSum(s1), W.HorizontalSum(s2), W.HorizontalSum(s3));
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

        // y += s·x: whole vectors, then the same body one lane at a time.
        private static void Axpy<W, V>(float s, float* x, float* y, int len) where W : struct, IVectorWidth<V> where V : struct
        {
            int j = AxpyElements<W, V>(s, x, y, len, 0);
            AxpyElements<Width1, float>(s, x, y, len, j);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int AxpyElements<W, V>(float s, float* x, float* y, int len, int j) where W : struct, IVectorWidth<V> where V : struct
        {
            V vs = W.Broadcast(s);
            for (; j <= len - W.Count; j += W.Count) W.Store(W.FusedMultiplyAdd(vs, W.Load(x + j), W.Load(y + j)), y + j);
            return j;
        }

        private static float Dot<W, V>(float* x, float* y, int len) where W : struct, IVectorWidth<V> where V : struct
        {
            int p = 0;
            float sum = 0f;
            if (W.Count > 1 && len >= 2 * W.Count)
            {
                V s0 = W.Zero, s1 = W.Zero;
                for (; p <= len - 2 * W.Count; p += 2 * W.Count)
                {
                    s0 = W.FusedMultiplyAdd(W.Load(x + p), W.Load(y + p), s0);
                    s1 = W.FusedMultiplyAdd(W.Load(x + p + W.Count), W.Load(y + p + W.Count), s1);
                }
                sum = W.HorizontalSum(W.Add(s0, s1));
            }
            for (; p < len; p++) sum = MathF.FusedMultiplyAdd(x[p], y[p], sum);
            return sum;
        }
    }
}
