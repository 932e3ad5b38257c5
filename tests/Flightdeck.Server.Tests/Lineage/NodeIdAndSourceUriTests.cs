using Flightdeck.Contracts;
using Flightdeck.Server.Lineage;

namespace Flightdeck.Server.Tests.Lineage;

public sealed class NodeIdAndSourceUriTests
{
    [Theory]
    [InlineData("s3://bucket", "data/train.csv", "olds:s3://bucket/data/train.csv")]
    [InlineData("file", "/data/out.parquet", "olds:file//data/out.parquet")]
    [InlineData("postgres://db:5432", "shop.public.orders", "olds:postgres://db:5432/shop.public.orders")]
    [InlineData("bigquery", "project.dataset.table", "olds:bigquery/project.dataset.table")]
    [InlineData("hdfs://namenode:8020/warehouse", "db/t", "olds:hdfs://namenode:8020%2Fwarehouse/db/t")]
    [InlineData("odd%ns/with/slashes", "n/a/m/e", "olds:odd%25ns%2Fwith%2Fslashes/n/a/m/e")]
    public void OpenLineage_ids_read_back_to_the_same_namespace_and_name(string ns, string name, string expected)
    {
        var id = LineageNodeId.OpenLineageDataset(ns, name);
        Assert.Equal(expected, id.ToString());
        var parsed = LineageNodeId.Parse(expected);
        Assert.Equal((LineageNodeKind.OpenLineageDataset, ns, name), (parsed.Kind, parsed.Namespace, parsed.Name));
        var job = LineageNodeId.Parse(LineageNodeId.Job(ns, name).ToString());
        Assert.Equal((LineageNodeKind.Job, ns, name), (job.Kind, job.Namespace, job.Name));
    }

    [Fact]
    public void Model_ids_split_at_the_last_slash_and_dataset_ids_are_normalised()
    {
        var model = LineageNodeId.Parse("model:team/churn/12");
        Assert.Equal(("team/churn", 12), (model.Name, model.Version));
        var uuid = Guid.NewGuid();
        Assert.Equal($"dataset:{uuid}", LineageNodeId.Parse($"dataset:{uuid.ToString().ToUpperInvariant()}").ToString());
    }

    [Theory]
    [InlineData("""{"uri": "s3://bucket/data/train.csv"}""", "s3://bucket/data/train.csv")]
    [InlineData("""{"url": "https://example.com/d.csv/"}""", "https://example.com/d.csv")]
    [InlineData("""{"path": "/data/a b.csv", "format": "csv"}""", "file:///data/a b.csv")]
    [InlineData("""{"uri": "file:///data/a%20b.csv"}""", "file:///data/a b.csv")]
    [InlineData("file://localhost/data/x.csv", "file:///data/x.csv")]
    [InlineData("/data/x.csv", "file:///data/x.csv")]
    [InlineData("""{"table": "t"}""", """{"table": "t"}""")]
    [InlineData("{not json", "{not json")]
    [InlineData("bigquery:project.dataset.table", "bigquery:project.dataset.table")]
    public void Flightdeck_sources_reduce_to_their_location(string source, string expected) =>
        Assert.Equal(expected, DatasetSourceUri.FromFlightdeckSource(source));

    [Theory]
    [InlineData("s3://bucket", "data/train.csv", "s3://bucket/data/train.csv")]
    [InlineData("s3://bucket/", "/data/train.csv", "s3://bucket/data/train.csv")]
    [InlineData("file", "/data/a b.csv", "file:///data/a b.csv")]
    [InlineData("file://localhost", "/data/x.csv", "file:///data/x.csv")]
    [InlineData("bigquery", "project.dataset.table", "bigquery:project.dataset.table")]
    public void OpenLineage_datasets_reduce_to_the_same_locations(string ns, string name, string expected) =>
        Assert.Equal(expected, DatasetSourceUri.FromOpenLineage(ns, name));

    [Fact]
    public void Sources_without_a_location_or_too_long_match_nothing()
    {
        Assert.Null(DatasetSourceUri.FromFlightdeckSource(""));
        Assert.Null(DatasetSourceUri.FromFlightdeckSource("s3://b/" + new string('x', 2000)));
    }
}
