using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.Models.Tests;

public sealed class SignatureInferenceTests
{
    [Fact]
    public void Scalar_ml_net_types_map_to_MLflow_column_types()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("f", NumberDataViewType.Single);
        builder.AddColumn("d", NumberDataViewType.Double);
        builder.AddColumn("i", NumberDataViewType.Int32);
        builder.AddColumn("l", NumberDataViewType.Int64);
        builder.AddColumn("b", BooleanDataViewType.Instance);
        builder.AddColumn("s", TextDataViewType.Instance);
        builder.AddColumn("Label", BooleanDataViewType.Instance);

        var schema = SignatureInference.FromDataViewSchema(builder.ToSchema(), ["Label"]);

        Assert.False(schema.IsTensorBased);
        Assert.Equal(
            [new ColumnSpec("f", ColumnType.Float), new ColumnSpec("d", ColumnType.Double), new ColumnSpec("i", ColumnType.Integer),
             new ColumnSpec("l", ColumnType.Long), new ColumnSpec("b", ColumnType.Boolean), new ColumnSpec("s", ColumnType.String)],
            schema.Columns);
    }

    [Fact]
    public void A_vector_column_makes_the_schema_tensor_based()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("pixels", new VectorDataViewType(NumberDataViewType.Single, 4));
        builder.AddColumn("weight", NumberDataViewType.Double);

        var schema = SignatureInference.FromDataViewSchema(builder.ToSchema());

        Assert.Equal([new TensorSpec("pixels", "float32", [-1, 4]), new TensorSpec("weight", "float64", [-1])], schema.Tensors);
    }

    [Fact]
    public void Unsupported_input_type_names_the_column()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("when", DateTimeDataViewType.Instance);

        var exception = Assert.Throws<ModelPackageException>(() => SignatureInference.FromDataViewSchema(builder.ToSchema()));

        Assert.StartsWith("Input column 'when' has ML.NET type DateTime", exception.Message);
    }

    [Fact]
    public void Trained_pipeline_signature_leaves_out_the_label_and_lists_prediction_outputs()
    {
        var trained = TrainedModel.Instance;

        var signature = SignatureInference.Infer(trained.Model, trained.Data.Schema, ["Label"]);

        Assert.Equal(["F1", "F2", "F3", "Age", "Region"], signature.Inputs.Names);
        Assert.Equal(ColumnType.Integer, signature.Inputs.Columns[3].Type);
        Assert.Equal(
            [new ColumnSpec("PredictedLabel", ColumnType.Boolean), new ColumnSpec("Score", ColumnType.Float),
             new ColumnSpec("Probability", ColumnType.Float)],
            signature.Outputs!.Columns);
    }

    [Fact]
    public void Chosen_output_columns_are_used_and_unknown_ones_refused()
    {
        var trained = TrainedModel.Instance;

        var signature = SignatureInference.Infer(trained.Model, trained.Data.Schema, ["Label"], ["Score", "Features"]);
        var exception = Assert.Throws<ModelPackageException>(
            () => SignatureInference.Infer(trained.Model, trained.Data.Schema, ["Label"], ["Nope"]));

        Assert.Equal([new TensorSpec("Score", "float32", [-1]), new TensorSpec("Features", "float32", [-1, 8])], signature.Outputs!.Tensors);
        Assert.Equal("The model has no output column 'Nope'.", exception.Message);
    }
}
