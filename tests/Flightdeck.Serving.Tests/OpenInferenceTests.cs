using System.Net;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Serving.Tests;

public sealed class OpenInferenceTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private static readonly List<TinyModel.Row> Rows = TinyModel.Generate(5, seed: 42);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("v2/models/clf/infer", "mlnet")]
    [InlineData("v2/models/clf/versions/1/infer", "mlnet")]
    [InlineData("v2/models/clf-onnx/versions/1/infer", "onnx")]
    public async Task Infer_returns_the_predictors_outputs_and_echoes_the_id(string path, string flavor)
    {
        var direct = (flavor == "onnx" ? fixture.DirectOnnx : fixture.DirectMlNet).Predict(TinyModel.Batch(Rows));

        var reply = await fixture.Http.PostJsonAsync(path, Payloads.OpenInferenceInfer(Rows, id: "req-7"), Cancel);

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.Equal("req-7", reply.Body.GetProperty("id").GetString());
        Assert.Equal("1", reply.Body.GetProperty("model_version").GetString());
        var outputs = reply.Body.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal(direct.Columns.Select(c => c.Name).Order(), outputs.Keys.Order());
        foreach (var column in direct.Columns)
        {
            var output = outputs[column.Name];
            Assert.Equal(Rows.Count, output.GetProperty("shape")[0].GetInt32());
            var data = output.GetProperty("data").EnumerateArray().ToList();
            for (var r = 0; r < Rows.Count; r++)
                Payloads.AssertCell(column, r, data[r], tolerance: 0);
        }
        Assert.Equal("FP32", outputs["Score"].GetProperty("datatype").GetString());
    }

    [Fact]
    public async Task Infer_returns_only_the_requested_outputs()
    {
        var body = Payloads.OpenInferenceInfer(Rows).TrimEnd('}') + ""","outputs":[{"name":"Score"}]}""";

        var reply = await fixture.Http.PostJsonAsync("v2/models/clf/infer", body, Cancel);

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.Equal(["Score"], reply.Body.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Model_metadata_lists_the_signature_as_tensors()
    {
        var reply = await fixture.Http.GetJsonAsync("v2/models/clf", Cancel);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("clf", reply.Body.GetProperty("name").GetString());
        Assert.Equal(["1"], reply.Body.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("mlnet", reply.Body.GetProperty("platform").GetString());
        var inputs = reply.Body.GetProperty("inputs").EnumerateArray()
            .ToDictionary(i => i.GetProperty("name").GetString()!, i => i.GetProperty("datatype").GetString());
        Assert.Equal("FP32", inputs["F1"]);
        Assert.Equal("INT32", inputs["Age"]);
        Assert.Equal("BYTES", inputs["Region"]);
        Assert.Contains(reply.Body.GetProperty("outputs").EnumerateArray(), o => o.GetProperty("name").GetString() == "Score");
        var onnx = await fixture.Http.GetJsonAsync("v2/models/clf-onnx/versions/1", Cancel);
        Assert.Equal("onnx_onnxv1", onnx.Body.GetProperty("platform").GetString());
    }

    [Fact]
    public async Task Health_and_readiness_answer_and_unknown_models_are_404()
    {
        var live = await fixture.Http.GetJsonAsync("v2/health/live", Cancel);
        var ready = await fixture.Http.GetJsonAsync("v2/health/ready", Cancel);
        var modelReady = await fixture.Http.GetJsonAsync("v2/models/clf/versions/1/ready", Cancel);
        var unknownVersion = await fixture.Http.GetJsonAsync("v2/models/clf/versions/9/ready", Cancel);
        var unknownInfer = await fixture.Http.PostJsonAsync("v2/models/nope/infer", Payloads.OpenInferenceInfer(Rows), Cancel);
        var server = await fixture.Http.GetJsonAsync("v2", Cancel);

        Assert.True(live.Body.GetProperty("live").GetBoolean());
        Assert.True(ready.Body.GetProperty("ready").GetBoolean());
        Assert.True(modelReady.Body.GetProperty("ready").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknownInfer.Status);
        Assert.Contains("nope", unknownInfer.Body.GetProperty("error").GetString());
        Assert.Equal("flightdeck", server.Body.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"F1","datatype":"FP32","shape":[2],"data":[1]}]}""", "F1")]
    [InlineData("""{"inputs":[{"name":"Age","datatype":"INT32","shape":[1],"data":["x"]}]}""", "Age")]
    [InlineData("""{"inputs":[{"name":"Region","datatype":"WEIRD","shape":[1],"data":["x"]}]}""", "Region")]
    [InlineData("""{"inputs":[{"name":"Age","datatype":"INT32","shape":[1,3],"data":[1,2,3]}]}""", "Age")]
    [InlineData("""{"inputs":[]}""", "inputs")]
    [InlineData("""{"inputs":[{"name":"F1","datatype":"FP32","shape":[1],"data":[0.5]}]}""", "F2")]
    public async Task Bad_tensors_are_400s_naming_the_input(string body, string named)
    {
        var reply = await fixture.Http.PostJsonAsync("v2/models/clf/infer", body, Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(named, reply.Body.GetProperty("error").GetString());
    }
}
