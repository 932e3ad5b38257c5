using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Search;

/// <summary>Run filters executed against a real store, on SQLite and PostgreSQL.</summary>
public sealed class RunSearchFilterTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Metric_filters_use_every_comparator_on_the_latest_value(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        foreach (var (label, value) in new[] { ("low", 0.5), ("mid", 1.0), ("high", 2.0) })
        {
            await experiment.AddRunAsync(label);
            await experiment.SetMetricAsync(label, "acc", value);
        }

        await experiment.AddRunAsync("none");

        Assert.Equal(["mid"], Sorted(await experiment.SearchAsync("metrics.acc = 1")));
        Assert.Equal(["high", "low"], Sorted(await experiment.SearchAsync("metrics.acc != 1.0")));
        Assert.Equal(["high"], Sorted(await experiment.SearchAsync("metrics.acc > 1")));
        Assert.Equal(["high", "mid"], Sorted(await experiment.SearchAsync("metrics.acc >= 1")));
        Assert.Equal(["low"], Sorted(await experiment.SearchAsync("metric.acc < 1")));
        Assert.Equal(["low", "mid"], Sorted(await experiment.SearchAsync("metric.acc <= 1e0")));
        Assert.Empty(await experiment.SearchAsync("metrics.other > -1"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task NaN_metric_does_not_compare_as_zero_and_infinities_compare_as_numbers(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        foreach (var (label, value) in new[] { ("nan", double.NaN), ("zero", 0.0), ("inf", double.PositiveInfinity), ("ninf", double.NegativeInfinity) })
        {
            await experiment.AddRunAsync(label);
            await experiment.SetMetricAsync(label, "loss", value);
        }

        Assert.Equal(["zero"], await experiment.SearchAsync("metrics.loss = 0"));
        Assert.Equal(["ninf", "zero"], Sorted(await experiment.SearchAsync("metrics.loss <= 0")));
        Assert.Equal(["inf", "zero"], Sorted(await experiment.SearchAsync("metrics.loss >= 0")));
        Assert.Equal(["inf"], await experiment.SearchAsync("metrics.loss > 1e300"));
        // IEEE: NaN is unequal to everything.
        Assert.Equal(["inf", "nan", "ninf"], Sorted(await experiment.SearchAsync("metrics.loss != 0")));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Params_and_tags_match_with_equality_and_case_sensitive_LIKE_and_insensitive_ILIKE(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        foreach (var (label, value) in new[] { ("adam", "Adam"), ("adamw", "adamw"), ("sgd", "sgd") })
        {
            await experiment.AddRunAsync(label);
            await experiment.SetParamAsync(label, "optimizer", value);
            await experiment.SetTagAsync(label, "opt", value);
        }

        await experiment.AddRunAsync("bare");
        foreach (var entity in new[] { "params.optimizer", "param.optimizer", "parameters.optimizer", "tags.opt", "tag.opt" })
        {
            Assert.Equal(["adam"], await experiment.SearchAsync($"{entity} = 'Adam'"));
            Assert.Equal(["adamw", "sgd"], Sorted(await experiment.SearchAsync($"{entity} != 'Adam'")));
            Assert.Equal(["adamw"], await experiment.SearchAsync($"{entity} LIKE 'ad%'"));
            Assert.Equal(["adam"], await experiment.SearchAsync($"{entity} like 'A%'"));
            Assert.Equal(["adam", "adamw"], Sorted(await experiment.SearchAsync($"{entity} ILIKE 'AD%'")));
            Assert.Equal(["adam"], await experiment.SearchAsync($"{entity} ILIKE 'ada_'"));
            Assert.Equal(["sgd"], await experiment.SearchAsync($"{entity} = \"sgd\""));
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task LIKE_wildcards_escape_and_glob_characters_are_literal(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        foreach (var (label, value) in new[] { ("under", "a_b"), ("plain", "axb"), ("star", "a*b"), ("quest", "a?b"), ("bracket", "[ab]"), ("pct", "50%") })
        {
            await experiment.AddRunAsync(label);
            await experiment.SetParamAsync(label, "p", value);
        }

        Assert.Equal(["plain", "quest", "star", "under"], Sorted(await experiment.SearchAsync("params.p LIKE 'a_b'")));
        Assert.Equal(["under"], await experiment.SearchAsync(@"params.p LIKE 'a\_b'"));
        Assert.Equal(["under"], await experiment.SearchAsync(@"params.p ILIKE 'A\_B'"));
        Assert.Equal(["star"], await experiment.SearchAsync("params.p LIKE 'a*b'"));
        Assert.Equal(["quest"], await experiment.SearchAsync("params.p LIKE 'a?%'"));
        Assert.Equal(["bracket"], await experiment.SearchAsync("params.p LIKE '[a%'"));
        Assert.Equal(["pct"], await experiment.SearchAsync(@"params.p LIKE '%\%'"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Quoted_keys_with_special_characters_match(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        await experiment.AddRunAsync("one");
        await experiment.SetMetricAsync("one", "val loss/epoch", 3);
        await experiment.SetTagAsync("one", "mlflow.source.type", "NOTEBOOK");
        await experiment.SetParamAsync("one", "it's", "o'k");
        await experiment.SetTagAsync("one", "emoji 🚀", "naïve 🚀");
        await experiment.AddRunAsync("two");

        Assert.Equal(["one"], await experiment.SearchAsync("metrics.\"val loss/epoch\" = 3"));
        Assert.Equal(["one"], await experiment.SearchAsync("tags.`emoji 🚀` LIKE 'naïve _'"));
        Assert.Equal(["one"], await experiment.SearchAsync("metrics.`val loss/epoch` > 2"));
        Assert.Equal(["one"], await experiment.SearchAsync("tags.mlflow.source.type = 'NOTEBOOK'"));
        Assert.Equal(["one"], await experiment.SearchAsync("tags.`mlflow.source.type` = 'NOTEBOOK'"));
        Assert.Equal(["one"], await experiment.SearchAsync("params.\"it's\" = 'o''k'"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task String_attributes_and_run_id_lists_filter(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        await experiment.AddRunAsync("a", name: "Train-A", status: "FINISHED", user: "alice");
        await experiment.AddRunAsync("b", name: "train-b", status: "FAILED", user: "bob", artifactUri: "s3://bucket/b");
        await experiment.AddRunAsync("c", name: "eval", status: "RUNNING", user: "alice");

        Assert.Equal(["a"], await experiment.SearchAsync("attributes.run_name = 'Train-A'"));
        Assert.Equal(["b"], await experiment.SearchAsync("run_name LIKE 'train%'"));
        Assert.Equal(["a", "b"], Sorted(await experiment.SearchAsync("attribute.run_name ILIKE 'train%'")));
        Assert.Equal(["a"], await experiment.SearchAsync("attr.`Run name` = 'Train-A'"));
        Assert.Equal(["b"], await experiment.SearchAsync("status = 'FAILED'"));
        Assert.Equal(["a", "c"], Sorted(await experiment.SearchAsync("run.status != 'FAILED'")));
        Assert.Equal(["b"], await experiment.SearchAsync("user_id = 'bob'"));
        Assert.Equal(["b"], await experiment.SearchAsync("artifact_uri LIKE 's3://%'"));
        Assert.Equal(["a", "c"], Sorted(await experiment.SearchAsync(
            $"run_id IN ('{experiment.RunId("a")}', '{experiment.RunId("c")}', 'nope')")));
        Assert.Equal(["b"], await experiment.SearchAsync(
            $"attributes.run_id NOT IN ('{experiment.RunId("a")}', \"{experiment.RunId("c")}\")"));
        Assert.Equal(["c"], await experiment.SearchAsync($"run_id = '{experiment.RunId("c")}'"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Time_attributes_compare_numerically_and_skip_missing_end_times(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        await experiment.AddRunAsync("early", startTime: 100, endTime: 150);
        await experiment.AddRunAsync("late", startTime: 300, endTime: 400);
        await experiment.AddRunAsync("running", startTime: 200);

        Assert.Equal(["late", "running"], await experiment.SearchAsync("start_time > 100"));
        Assert.Equal(["running", "early"], await experiment.SearchAsync("attributes.created <= 200"));
        Assert.Equal(["early"], await experiment.SearchAsync("start_time = 100"));
        Assert.Equal(["late"], await experiment.SearchAsync("end_time >= 151"));
        Assert.Equal(["late", "early"], await experiment.SearchAsync("end_time != 1"));
        Assert.Equal(["running"], await experiment.SearchAsync("start_time > 100.5 AND start_time < 299.5"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Conditions_combine_with_AND(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        foreach (var (label, lr, acc) in new[] { ("a", "0.1", 0.9), ("b", "0.1", 0.5), ("c", "0.01", 0.95) })
        {
            await experiment.AddRunAsync(label);
            await experiment.SetParamAsync(label, "lr", lr);
            await experiment.SetMetricAsync(label, "acc", acc);
            await experiment.SetTagAsync(label, "team", "x");
        }

        Assert.Equal(["a"], await experiment.SearchAsync("params.lr = '0.1' and metrics.acc > 0.8 AND tags.team = 'x'"));
        Assert.Equal(["c"], await experiment.SearchAsync("metrics.acc > 0.8 AND metrics.acc > 0.91"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Dataset_filters_match_name_digest_and_context(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        var train = await experiment.AddDatasetAsync("Train-Set", "d1");
        var eval = await experiment.AddDatasetAsync("eval-set", "d2");
        await experiment.AddRunAsync("a");
        await experiment.AddInputAsync("a", train, "training");
        await experiment.AddRunAsync("b");
        await experiment.AddInputAsync("b", eval, "evaluation");
        await experiment.AddRunAsync("c");
        await experiment.AddInputAsync("c", train);
        await experiment.AddRunAsync("none");

        Assert.Equal(["a", "c"], Sorted(await experiment.SearchAsync("dataset.name = 'Train-Set'")));
        Assert.Equal(["b"], await experiment.SearchAsync("datasets.digest = 'd2'"));
        Assert.Equal(["a"], await experiment.SearchAsync("dataset.context = 'training'"));
        Assert.Equal(["a", "b"], Sorted(await experiment.SearchAsync("dataset.context IN ('training', 'evaluation')")));
        Assert.Equal(["b"], await experiment.SearchAsync("dataset.name NOT IN ('Train-Set')"));
        Assert.Equal(["b"], await experiment.SearchAsync("dataset.name LIKE '%set'"));
        Assert.Equal(["a", "b", "c"], Sorted(await experiment.SearchAsync("dataset.name ILIKE '%SET'")));
        Assert.Equal(["a", "c"], Sorted(await experiment.SearchAsync("dataset.digest != 'd2'")));
        Assert.Equal(["a"], await experiment.SearchAsync("dataset.name = 'Train-Set' AND dataset.context = 'training'"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Injection_attempts_are_plain_values_and_leave_the_schema_intact(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        await experiment.AddRunAsync("victim");
        await experiment.SetParamAsync("victim", "x", "a'; DROP TABLE runs; --");

        Assert.Equal(["victim"], await experiment.SearchAsync("params.x = 'a''; DROP TABLE runs; --'"));
        Assert.Empty(await experiment.SearchAsync("params.\"x'; DROP TABLE runs; --\" = 'a'"));
        Assert.Empty(await experiment.SearchAsync("run_name = '\\'; DELETE FROM runs; --'"));
        Assert.Empty(await experiment.SearchAsync("tags.`x``; DROP TABLE runs; --` LIKE '%'"));
        Assert.Equal(["victim"], await experiment.SearchAsync(null));
    }

    private static List<string> Sorted(IEnumerable<string> labels) => labels.Order(StringComparer.Ordinal).ToList();
}
