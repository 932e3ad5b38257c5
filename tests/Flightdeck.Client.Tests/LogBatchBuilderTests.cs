using Flightdeck.Client.Runs;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class LogBatchBuilderTests
{
    private static MetricEntry MetricAt(int i) => new(new Metric { Key = "m", Value = i, Step = i, Timestamp = 1 });

    [Fact]
    public void A_batch_holds_at_most_1000_metrics()
    {
        var batch = new LogBatchBuilder();
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(batch.TryAdd(MetricAt(i)));
        }

        Assert.False(batch.TryAdd(MetricAt(1000)));
        Assert.Equal(1000, batch.Build("r").Metrics!.Count);
    }

    [Fact]
    public void A_batch_holds_at_most_100_params_and_100_tags_but_still_takes_metrics()
    {
        var batch = new LogBatchBuilder();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(batch.TryAdd(new ParamEntry(new Param($"p{i}", "v"))));
            Assert.True(batch.TryAdd(new TagEntry(new RunTag($"t{i}", "v"))));
        }

        Assert.False(batch.TryAdd(new ParamEntry(new Param("p100", "v"))));
        Assert.False(batch.TryAdd(new TagEntry(new RunTag("t100", "v"))));
        Assert.True(batch.TryAdd(MetricAt(0)));
    }

    [Fact]
    public void A_batch_holds_at_most_1000_entities_in_all()
    {
        var batch = new LogBatchBuilder();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(batch.TryAdd(new TagEntry(new RunTag($"t{i}", "v"))));
        }

        for (var i = 0; i < 900; i++)
        {
            Assert.True(batch.TryAdd(MetricAt(i)));
        }

        Assert.False(batch.TryAdd(MetricAt(900)));
        Assert.Equal(1000, batch.Count);
    }

    [Fact]
    public void Long_values_split_batches_before_the_one_megabyte_body_limit()
    {
        var batch = new LogBatchBuilder();
        var accepted = 0;
        while (batch.TryAdd(new TagEntry(new RunTag($"t{accepted}", new string('é', 5000)))))
        {
            accepted++;
        }

        // 5000 two-byte characters per tag: well under 100 tags fit in the byte budget.
        Assert.InRange(accepted, 80, 90);
    }

    [Fact]
    public void A_repeated_param_with_the_same_value_is_dropped_and_a_changed_one_goes_to_the_next_batch()
    {
        var batch = new LogBatchBuilder();
        Assert.True(batch.TryAdd(new ParamEntry(new Param("lr", "0.1"))));

        Assert.True(batch.TryAdd(new ParamEntry(new Param("lr", "0.1"))));
        Assert.False(batch.TryAdd(new ParamEntry(new Param("lr", "0.2"))));

        Assert.Single(batch.Build("r").Params!);
    }

    [Fact]
    public void An_empty_batch_accepts_any_entry()
    {
        var batch = new LogBatchBuilder();

        Assert.True(batch.TryAdd(new ParamEntry(new Param("big", new string('x', 6000)))));
        Assert.False(batch.IsEmpty);
    }
}
