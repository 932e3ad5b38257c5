using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Flightdeck.MlNet.Autologging;

/// <summary>One trainer found in an estimator, with the hyperparameters read from its options object.</summary>
/// <param name="Name">The trainer's type name without the "Trainer" suffix, e.g. <c>FastTreeBinary</c>.</param>
/// <param name="Hyperparameters">Option names in snake_case with invariant-culture values; empty when no options were found.</param>
/// <param name="OptionsFound">False for a trainer that keeps no ML.NET options object (logged by name only).</param>
/// <param name="LabelColumnName">The label column the trainer was configured with, if it has one.</param>
public sealed record TrainerDescription(
    string Name, IReadOnlyDictionary<string, string> Hyperparameters, bool OptionsFound, string? LabelColumnName);

/// <summary>
/// Reads an ML.NET estimator without fitting it: the estimators of a chain in order, and each trainer's hyperparameters.
/// </summary>
/// <remarks>
/// ML.NET trainers keep the <c>Options</c> object they were built from (every trainer made through the
/// <c>mlContext.*.Trainers</c> catalogs, with options or with the short parameter list, builds one) in a non-public
/// field whose type derives from the public <see cref="TrainerInputBase"/>. Its public fields and properties are the
/// hyperparameters. Meta-trainers (one-versus-all, pairwise coupling) hold their binary trainer in a field, which is read
/// the same way under a prefix. A trainer without such a field (e.g. naive Bayes, prior) is reported by name only.
/// <see cref="EstimatorChain{TLastTransformer}"/> keeps its estimators in a non-public array; when that cannot be read
/// (another ML.NET version), only its public <c>LastEstimator</c> is inspected.
/// </remarks>
public static class EstimatorInspector
{
    private const BindingFlags DeclaredInstance =
        BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    /// <summary>The estimators of <paramref name="estimator"/> in fitting order, chains flattened.</summary>
    public static IReadOnlyList<object> Flatten(object estimator)
    {
        var result = new List<object>();
        Collect(estimator, result);
        return result;
    }

    /// <summary>Whether <paramref name="estimator"/> is a trainer (an <c>ITrainerEstimator&lt;,&gt;</c>).</summary>
    public static bool IsTrainer(object estimator) =>
        estimator.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ITrainerEstimator<,>));

    /// <summary>The trainers of <paramref name="estimator"/>, in fitting order.</summary>
    public static IReadOnlyList<TrainerDescription> DescribeTrainers(object estimator) =>
        Flatten(estimator).Where(IsTrainer).Select(DescribeTrainer).ToList();

    /// <summary>A short name for any estimator: the type name without generic arity and without "Trainer"/"Estimator".</summary>
    public static string DisplayName(object estimator)
    {
        var name = estimator.GetType().Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        name = tick >= 0 ? name[..tick] : name;
        foreach (var suffix in (string[])["Trainer", "Estimator"])
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return name[..^suffix.Length];
            }
        }

        return name;
    }

    /// <summary>PascalCase to snake_case: <c>NumberOfTrees</c> → <c>number_of_trees</c>, <c>L2Regularization</c> → <c>l2_regularization</c>.</summary>
    public static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                var previous = name[i - 1];
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    builder.Append('_');
                }
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private static void Collect(object estimator, List<object> result)
    {
        var type = estimator.GetType();
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(EstimatorChain<>))
        {
            result.Add(estimator);
            return;
        }

        if (type.GetField("_estimators", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(estimator) is Array inner)
        {
            foreach (var item in inner)
            {
                if (item is not null)
                {
                    Collect(item, result);
                }
            }

            return;
        }

        if (type.GetProperty("LastEstimator")?.GetValue(estimator) is { } last)
        {
            Collect(last, result);
        }
    }

    private static TrainerDescription DescribeTrainer(object trainer)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var options = FindOptions(trainer);
        if (options is not null)
        {
            AddValues(options, prefix: "", values, depth: 0);
        }

        // Meta-trainers: the trainer they wrap, and the calibrator they use.
        foreach (var field in AllFields(trainer.GetType()))
        {
            var value = field.GetValue(trainer);
            if (value is null || ReferenceEquals(value, trainer))
            {
                continue;
            }

            if (IsTrainer(value))
            {
                var inner = DescribeTrainer(value);
                values["inner_trainer"] = inner.Name;
                foreach (var (key, innerValue) in inner.Hyperparameters)
                {
                    values["inner_trainer." + key] = innerValue;
                }
            }
            else if (field.FieldType.Name == "ICalibratorTrainer")
            {
                values["calibrator"] = DisplayName(value);
            }
        }

        var label = options?.GetType().GetField("LabelColumnName")?.GetValue(options) as string;
        return new TrainerDescription(DisplayName(trainer), values, options is not null, label);
    }

    private static TrainerInputBase? FindOptions(object trainer) =>
        AllFields(trainer.GetType())
            .Where(f => typeof(TrainerInputBase).IsAssignableFrom(f.FieldType))
            .Select(f => f.GetValue(trainer) as TrainerInputBase)
            .FirstOrDefault(o => o is not null);

    private static IEnumerable<FieldInfo> AllFields(Type type)
    {
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            foreach (var field in current.GetFields(DeclaredInstance))
            {
                yield return field;
            }
        }
    }

    private static void AddValues(object options, string prefix, IDictionary<string, string> values, int depth)
    {
        var type = options.GetType();
        var members = type.GetFields(BindingFlags.Instance | BindingFlags.Public)
            .Select(f => (f.Name, Read: (Func<object?>)(() => f.GetValue(options))))
            .Concat(type.GetProperties(BindingFlags.Instance | BindingFlags.Public)
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
                .Select(p => (p.Name, Read: (Func<object?>)(() => p.GetValue(options)))));
        foreach (var (name, read) in members)
        {
            object? value;
            try
            {
                value = read();
            }
            catch (TargetInvocationException)
            {
                continue; // A property that cannot be read in this state says nothing about the configuration.
            }

            var key = prefix + SnakeCase(name);
            if (value is null)
            {
                continue;
            }

            if (Format(value) is { } text)
            {
                values[key] = text;
            }
            else if (depth < 1 && IsOptionsLike(value))
            {
                // Nested option groups such as a booster's or an early-stopping rule's settings.
                values[key] = DisplayName(value);
                AddValues(value, key + ".", values, depth + 1);
            }
        }
    }

    private static bool IsOptionsLike(object value)
    {
        var type = value.GetType();
        return type.IsClass && type.Namespace?.StartsWith("Microsoft.ML", StringComparison.Ordinal) == true
            && value is not Delegate and not System.Collections.IEnumerable && !IsTrainer(value);
    }

    private static string? Format(object value) => value switch
    {
        string s => s,
        bool b => b ? "True" : "False",
        Enum e => e.ToString(),
        float f => f.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable when value.GetType().IsPrimitive || value is decimal => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => null,
    };
}
