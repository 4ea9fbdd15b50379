using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// Float ⇄ double conversions of one value that write their whole register. The scalar
/// instructions (cvtsd2ss, cvtss2sd) merge into the old contents of the destination register,
/// which the JIT may have last used for an unrelated value, such as the previous row's result:
/// that false dependency chains the rows of a kernel together. The packed forms do not merge.
/// </summary>
internal static class ScalarConvert
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(double value) =>
        Sse2.IsSupported ? Sse2.ConvertToVector128Single(Vector128.CreateScalarUnsafe(value)).ToScalar() : (float)value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ToDouble(float value) =>
        Sse2.IsSupported ? Sse2.ConvertToVector128Double(Vector128.CreateScalarUnsafe(value)).ToScalar() : value;
}
