using Flightdeck.Models;
using Google.Protobuf;
using Onnx;

namespace Flightdeck.Bench.Serving;

/// <summary>
/// ONNX models for the serving benchmarks, written as graphs with random weights (the benchmarks measure serving, not
/// accuracy): a multi-layer perceptron, whose batched predict amortizes, and a recommender that scores every SKU of a
/// catalog for a user and keeps the top k inside the graph (TopK), as a retrieval model exported from PyTorch would.
/// Built with OnnxSharp's ONNX protobuf classes because no training library here exports these shapes.
/// </summary>
internal static class OnnxGraphs
{
    private const long OpsetVersion = 13;

    /// <summary>Whether <paramref name="flavor"/> names one of these graphs (as the benchmark's MODEL argument).</summary>
    public static bool IsGraph(string flavor) => flavor is "mlp" or "mlp-wide" or "recommender";

    /// <summary>Writes the graph <paramref name="flavor"/> names as a model package under <paramref name="root"/> and
    /// returns the package directory.</summary>
    public static string WritePackage(string flavor, string root)
    {
        var onnxFile = Path.Combine(root, "graph.onnx");
        switch (flavor)
        {
            case "mlp":
                WriteMlp(onnxFile);
                break;
            case "mlp-wide":
                WriteMlp(onnxFile, hidden: 2048);
                break;
            default:
                WriteRecommender(onnxFile);
                break;
        }
        var directory = Path.Combine(root, "package");
        OnnxPackageWriter.Write(directory, onnxFile);
        return directory;
    }

    /// <summary><c>features</c> [N, inputs] → Dense(hidden) → ReLU → Dense(hidden) → ReLU → Dense(1) → Sigmoid → <c>score</c> [N, 1].</summary>
    public static void WriteMlp(string path, int inputs = 20, int hidden = 1024, int seed = 1)
    {
        var random = new Random(seed);
        var graph = new GraphProto { Name = "mlp" };
        graph.Input.Add(TensorInfo("features", TensorProto.Types.DataType.Float, inputs));
        graph.Output.Add(TensorInfo("score", TensorProto.Types.DataType.Float, 1));
        var previous = "features";
        var width = inputs;
        foreach (var (layer, size) in new[] { ("l1", hidden), ("l2", hidden), ("l3", 1) })
        {
            graph.Initializer.Add(FloatTensor($"{layer}.w", [width, size], random, 1 / Math.Sqrt(width)));
            graph.Initializer.Add(FloatTensor($"{layer}.b", [size], random, 0.01));
            graph.Node.Add(Node("MatMul", [previous, $"{layer}.w"], [$"{layer}.mm"]));
            graph.Node.Add(Node("Add", [$"{layer}.mm", $"{layer}.b"], [$"{layer}.z"]));
            var activation = layer == "l3" ? "Sigmoid" : "Relu";
            previous = layer == "l3" ? "score" : $"{layer}.a";
            graph.Node.Add(Node(activation, [$"{layer}.z"], [previous]));
            width = size;
        }
        Save(path, graph);
    }

    /// <summary><c>user</c> [N, dims] · item embeddings [dims, skus] → scores [N, skus] → TopK(k) →
    /// <c>top_scores</c> [N, k] and <c>top_items</c> [N, k] (SKU indices, as floats: exact below 2^24).</summary>
    public static void WriteRecommender(string path, int skus = 10_000, int dims = 64, int k = 10, int seed = 2)
    {
        var random = new Random(seed);
        var graph = new GraphProto { Name = "recommender" };
        graph.Input.Add(TensorInfo("user", TensorProto.Types.DataType.Float, dims));
        graph.Output.Add(TensorInfo("top_scores", TensorProto.Types.DataType.Float, k));
        graph.Output.Add(TensorInfo("top_items", TensorProto.Types.DataType.Float, k));
        graph.Initializer.Add(FloatTensor("items", [dims, skus], random, 1 / Math.Sqrt(dims)));
        var kTensor = new TensorProto { Name = "k", DataType = (int)TensorProto.Types.DataType.Int64 };
        kTensor.Dims.Add(1);
        kTensor.Int64Data.Add(k);
        graph.Initializer.Add(kTensor);
        graph.Node.Add(Node("MatMul", ["user", "items"], ["scores"]));
        graph.Node.Add(Node("TopK", ["scores", "k"], ["top_scores", "top_indices"]));
        var cast = Node("Cast", ["top_indices"], ["top_items"]);
        cast.Attribute.Add(new AttributeProto
        {
            Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float,
        });
        graph.Node.Add(cast);
        Save(path, graph);
    }

    private static void Save(string path, GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 7, ProducerName = "flightdeck-bench", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        using var stream = File.Create(path);
        model.WriteTo(stream);
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{outputs[0]}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static ValueInfoProto TensorInfo(string name, TensorProto.Types.DataType type, long width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static TensorProto FloatTensor(string name, long[] dims, Random random, double scale)
    {
        var count = dims.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        tensor.RawData = ByteString.CopyFrom(bytes);
        return tensor;
    }
}
