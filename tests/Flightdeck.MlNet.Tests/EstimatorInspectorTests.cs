using Flightdeck.MlNet.Autologging;
using Flightdeck.MlNet.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace Flightdeck.MlNet.Tests;

public sealed class EstimatorInspectorTests
{
    private readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void A_chain_is_flattened_in_fitting_order_and_its_trainer_options_are_read()
    {
        var pipeline = TestData.BinaryPipeline(_ml, trees: 7);

        var names = EstimatorInspector.Flatten(pipeline).Select(EstimatorInspector.DisplayName);
        var trainer = Assert.Single(EstimatorInspector.DescribeTrainers(pipeline));

        Assert.Equal(["OneHotEncoding", "ColumnConcatenating", "FastTreeBinary"], names);
        Assert.Equal("FastTreeBinary", trainer.Name);
        Assert.True(trainer.OptionsFound);
        Assert.Equal("7", trainer.Hyperparameters["number_of_trees"]);
        Assert.Equal("4", trainer.Hyperparameters["number_of_leaves"]);
        Assert.Equal("0.3", trainer.Hyperparameters["learning_rate"]);
        Assert.Equal("Readmitted", trainer.Hyperparameters["label_column_name"]);
        Assert.Equal("Readmitted", trainer.LabelColumnName);
    }

    [Fact]
    public void Options_objects_passed_in_are_read_the_same_way()
    {
        var trainer = _ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = 12,
            LabelColumnName = "y",
            FeatureFraction = 0.5,
            Seed = 3,
        });

        var description = Assert.Single(EstimatorInspector.DescribeTrainers(trainer));

        Assert.Equal("12", description.Hyperparameters["number_of_trees"]);
        Assert.Equal("0.5", description.Hyperparameters["feature_fraction"]);
        Assert.Equal("3", description.Hyperparameters["seed"]);
        Assert.Equal("y", description.LabelColumnName);
    }

    [Fact]
    public void Linear_trainers_and_meta_trainers_are_covered()
    {
        var sdca = _ml.Regression.Trainers.Sdca(l2Regularization: 0.25f, maximumNumberOfIterations: 9);
        var ova = _ml.MulticlassClassification.Trainers.OneVersusAll(_ml.BinaryClassification.Trainers.AveragedPerceptron(numberOfIterations: 4));

        var sdcaParams = Assert.Single(EstimatorInspector.DescribeTrainers(sdca)).Hyperparameters;
        var ovaParams = Assert.Single(EstimatorInspector.DescribeTrainers(ova)).Hyperparameters;

        Assert.Equal("0.25", sdcaParams["l2_regularization"]);
        Assert.Equal("9", sdcaParams["maximum_number_of_iterations"]);
        Assert.Equal("AveragedPerceptron", ovaParams["inner_trainer"]);
        Assert.Equal("4", ovaParams["inner_trainer.number_of_iterations"]);
    }

    [Fact]
    public void A_trainer_without_an_options_object_is_reported_by_name_only()
    {
        var bayes = _ml.MulticlassClassification.Trainers.NaiveBayes();

        var description = Assert.Single(EstimatorInspector.DescribeTrainers(bayes));

        Assert.Equal("NaiveBayesMulticlass", description.Name);
        Assert.False(description.OptionsFound);
    }

    [Fact]
    public void Transforms_alone_have_no_trainers()
    {
        Assert.Empty(EstimatorInspector.DescribeTrainers(TestData.Featurizer(_ml)));
    }

    [Theory]
    [InlineData("NumberOfTrees", "number_of_trees")]
    [InlineData("L2Regularization", "l2_regularization")]
    [InlineData("LabelColumnName", "label_column_name")]
    [InlineData("UseLBFGSOptimizer", "use_lbfgs_optimizer")]
    [InlineData("Seed", "seed")]
    public void Option_names_become_snake_case(string name, string expected)
    {
        Assert.Equal(expected, EstimatorInspector.SnakeCase(name));
    }
}
