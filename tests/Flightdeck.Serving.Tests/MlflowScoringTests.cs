using System.Net;
using System.Text;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Serving.Tests;

public sealed class MlflowScoringTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private static readonly List<TinyModel.Row> Rows = TinyModel.Generate(7, seed: 99);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> JsonShapes => ["dataframe_split", "dataframe_records", "instances", "inputs"];

    [Theory]
    [MemberData(nameof(JsonShapes))]
    public async Task Every_json_shape_predicts_what_the_predictor_predicts(string shape)
    {
        var body = shape switch
        {
            "dataframe_split" => Payloads.DataframeSplit(Rows),
            "dataframe_records" => Payloads.DataframeRecords(Rows),
            "instances" => Payloads.InstancesRecords(Rows),
            _ => Payloads.InputsColumnar(Rows),
        };

        var reply = await fixture.Http.PostJsonAsync("invocations?model=clf", body, Cancel);

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Payloads.AssertSamePredictions(fixture.DirectMlNet.Predict(TinyModel.Batch(Rows)), reply.Body.GetProperty("predictions"));
    }

    [Fact]
    public async Task Csv_input_predicts_what_the_predictor_predicts()
    {
        var content = new StringContent(Payloads.Csv(Rows), Encoding.UTF8, "text/csv");

        var reply = await fixture.Http.PostContentAsync("invocations?model=clf", content, Cancel);

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Payloads.AssertSamePredictions(fixture.DirectMlNet.Predict(TinyModel.Batch(Rows)), reply.Body.GetProperty("predictions"));
    }

    [Fact]
    public async Task The_onnx_flavor_serves_the_same_predictions_as_its_predictor()
    {
        var reply = await fixture.Http.PostJsonAsync("invocations?model=clf-onnx&version=1", Payloads.DataframeSplit(Rows), Cancel);

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Payloads.AssertSamePredictions(fixture.DirectOnnx.Predict(TinyModel.Batch(Rows)), reply.Body.GetProperty("predictions"));
    }

    [Fact]
    public async Task A_wrong_value_type_is_a_400_naming_the_column()
    {
        const string body = """{"dataframe_split": {"columns": ["F1","F2","F3","Age","Region"], "data": [[0.1, 2, 0.3, "old", "north"]]}}""";

        var reply = await fixture.Http.PostJsonAsync("invocations?model=clf", body, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("BAD_REQUEST", reply.Body.GetProperty("error_code").GetString());
        Assert.Contains("'Age'", reply.Body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_missing_column_is_a_400_naming_it()
    {
        const string body = """{"dataframe_records": [{"F1": 0.1, "F3": 0.3, "Age": 40, "Region": "north"}]}""";

        var reply = await fixture.Http.PostJsonAsync("invocations?model=clf", body, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("'F2'", reply.Body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_csv_value_of_the_wrong_type_is_a_400_naming_the_column()
    {
        var content = new StringContent("F1,F2,F3,Age,Region\n0.1,abc,0.3,40,north\n", Encoding.UTF8, "text/csv");

        var reply = await fixture.Http.PostContentAsync("invocations?model=clf", content, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("'F2'", reply.Body.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("""[{"F1": 1}]""", "exactly one")]
    [InlineData("""{"instances": [], "inputs": []}""", "several")]
    [InlineData("""{"columns": ["F1"]}""", "none")]
    [InlineData("""{"dataframe_split": {"columns": ["F1"]""", "not valid JSON")]
    [InlineData("""{"instances": [1, 2, 3]}""", "one input")]
    public async Task Malformed_bodies_are_400s_that_say_why(string body, string reason)
    {
        var reply = await fixture.Http.PostJsonAsync("invocations?model=clf", body, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(reason, reply.Body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_empty_dataframe_gets_empty_predictions()
    {
        const string body = """{"dataframe_split": {"columns": ["F1","F2","F3","Age","Region"], "data": []}}""";

        var reply = await fixture.Http.PostJsonAsync("invocations?model=clf", body, Cancel);

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.Equal(0, reply.Body.GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task An_unsupported_content_type_is_a_415()
    {
        var reply = await fixture.Http.PostContentAsync("invocations?model=clf", new StringContent("F1=1", Encoding.UTF8, "text/plain"), Cancel);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, reply.Status);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var rows = TinyModel.Generate(10_000, seed: 5); // Well over the fixture's 64 KiB limit.

        var reply = await fixture.Http.PostJsonAsync("invocations?model=clf", Payloads.DataframeSplit(rows), Cancel);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.Status);
    }

    [Fact]
    public async Task With_several_models_loaded_invocations_needs_a_model_and_an_unknown_one_is_a_404()
    {
        var unnamed = await fixture.Http.PostJsonAsync("invocations", Payloads.DataframeSplit(Rows), Cancel);
        var unknown = await fixture.Http.PostJsonAsync("invocations?model=nope", Payloads.DataframeSplit(Rows), Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, unnamed.Status);
        Assert.Contains("?model=", unnamed.Body.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", unknown.Body.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Ping_health_and_version_answer()
    {
        var ping = await fixture.Http.GetAsync("ping", Cancel);
        var health = await fixture.Http.GetAsync("health", Cancel);
        var version = await fixture.Http.GetStringAsync("version", Cancel);

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(version));
    }
}
