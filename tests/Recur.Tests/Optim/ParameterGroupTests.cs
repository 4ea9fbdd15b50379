using Recur.Optim;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Optim;

public class ParameterGroupTests
{
    /// <summary>One step with zero gradients, so only decoupled decay moves anything.</summary>
    private static float[] DecayOnce(ParameterStore store, Optimizer optimizer)
    {
        store.ZeroGrad();
        optimizer.Step();
        return store.Values.ToArray();
    }

    [Fact]
    public void DefaultGrouping_AdamW_DecaysWeightsOnly()
    {
        var store = OptimTestData.MixedStore(1);
        float[] before = store.Values.ToArray();
        float[] after = DecayOnce(store, new Adam(store, AdamOptions.AdamW(0.1, 0.5)));
        for (int i = 0; i < store.Parameters.Count; i++)
        {
            var p = store.Parameters[i];
            int offset = store.OffsetOf(i);
            float factor = p.Kind == ParameterKind.Weight ? (float)(1 - 0.1 * 0.5) : 1f;
            var expected = before.AsSpan(offset, p.Length).ToArray().Select(x => x * factor).ToArray();
            AssertClose.All(expected, after.AsSpan(offset, p.Length), 1e-6, 0, p.Name);
        }
    }

    [Fact]
    public void RegularizedKinds_IncludingEmbeddings_DecaysThemToo()
    {
        var store = OptimTestData.MixedStore(2);
        float[] before = store.Values.ToArray();
        var options = new SgdOptions(0.1) { Regularization = new Regularization.DecoupledWeightDecay(1), RegularizedKinds = [ParameterKind.Weight, ParameterKind.Embedding] };
        float[] after = DecayOnce(store, new Sgd(store, options));
        var embedding = store.Get("embedding.weight");
        Assert.Equal(before.Take(embedding.Length).Select(x => x * 0.9f), after.Take(embedding.Length));
        var bias = store.Get("head.bias");
        Assert.Equal(before.AsSpan(store.Count - bias.Length).ToArray(), after.AsSpan(store.Count - bias.Length).ToArray());
    }

    [Fact]
    public void ExplicitGroups_OwnLearningRates_FrozenParametersUntouched()
    {
        var store = OptimTestData.MixedStore(3);
        var p = store.Parameters;
        var sgd = new Sgd(store, new SgdOptions(0.1), [new ParameterGroup([p[4], p[1]]), new ParameterGroup([p[2]]) { LearningRate = 0.5 }]);
        Assert.Equal(0.1, sgd.Groups[0].LearningRate);
        Assert.Equal(0.5, sgd.LearningRate(1));
        Assert.IsType<Regularization.None>(sgd.Groups[1].Regularization);
        float[] before = store.Values.ToArray();
        store.Grads.Fill(1f);
        sgd.Step();
        for (int i = 0; i < p.Count; i++)
        {
            float lr = i is 4 or 1 ? 0.1f : i == 2 ? 0.5f : 0f;
            for (int j = 0; j < p[i].Length; j++)
            {
                int k = store.OffsetOf(i) + j;
                Assert.Equal(lr == 0 ? before[k] : MathF.FusedMultiplyAdd(1f, -lr, before[k]), store.Values[k]);
            }
        }
    }

    [Fact]
    public void Groups_ParameterTwice_ThrowsArgumentException()
    {
        var store = OptimTestData.MixedStore(4);
        var w = store.Parameters[1];
        var e = Assert.Throws<ArgumentException>(() => new Adam(store, new AdamOptions(), [new ParameterGroup([w]), new ParameterGroup([w])]));
        Assert.Contains("more than one group", e.Message);
    }

    [Fact]
    public void Groups_ForeignParameter_ThrowsArgumentException()
    {
        var store = OptimTestData.MixedStore(5);
        var stranger = new Parameter("rnn.weight_ih_l0", new Shape(2), ParameterKind.Weight);
        var e = Assert.Throws<ArgumentException>(() => new Adam(store, new AdamOptions(), [new ParameterGroup([stranger])]));
        Assert.Contains("not in the optimizer's store", e.Message);
    }

    [Fact]
    public void Groups_NegativeLearningRate_ThrowsArgumentOutOfRange()
    {
        var store = OptimTestData.MixedStore(6);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Sgd(store, new SgdOptions(0.1), [new ParameterGroup(store.Parameters) { LearningRate = -1 }]));
    }

    [Fact]
    public void ByKind_SplitsWeightsFromTheRest()
    {
        var store = OptimTestData.MixedStore(7);
        var groups = ParameterGroup.ByKind(store, [ParameterKind.Weight]);
        Assert.Equal(["rnn.weight_ih_l0", "head.weight"], groups[0].Parameters.Select(p => p.Name));
        Assert.Null(groups[0].Regularization);
        Assert.Equal(["embedding.weight", "rnn.bias_ih_l0", "norm.weight", "head.bias"], groups[1].Parameters.Select(p => p.Name));
        Assert.IsType<Regularization.None>(groups[1].Regularization);
    }
}
