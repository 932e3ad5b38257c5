using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.MlNet.Autologging;

internal enum PredictionKind
{
    Unknown,
    Binary,
    Multiclass,
    Regression,
}

/// <summary>What a fitted model predicts, read from the type of its last prediction transformer.</summary>
internal static class PredictionKinds
{
    public static PredictionKind Of(ITransformer model)
    {
        var last = LastTransformer(model);
        for (var type = last?.GetType(); type is not null; type = type.BaseType)
        {
            if (!type.IsGenericType)
            {
                continue;
            }

            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(BinaryPredictionTransformer<>))
            {
                return PredictionKind.Binary;
            }

            if (definition == typeof(MulticlassPredictionTransformer<>))
            {
                return PredictionKind.Multiclass;
            }

            if (definition == typeof(RegressionPredictionTransformer<>))
            {
                return PredictionKind.Regression;
            }
        }

        return PredictionKind.Unknown;
    }

    private static ITransformer? LastTransformer(ITransformer model)
    {
        var current = model;
        while (current.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(TransformerChain<>))
        {
            var last = ((IEnumerable<ITransformer>)current).LastOrDefault();
            if (last is null)
            {
                return null;
            }

            current = last;
        }

        return current;
    }
}
