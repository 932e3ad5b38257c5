using Flightdeck.Client;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Commands;

/// <summary>Commands accept an experiment by id or by name; ids are tried first.</summary>
internal static class ExperimentLookup
{
    public static async Task<Experiment> FindAsync(FlightdeckClient client, string idOrName, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetExperimentAsync(idOrName, cancellationToken)).Experiment;
        }
        catch (Exception ex) when (ex is ResourceNotFoundException or InvalidParameterException)
        {
            try
            {
                return (await client.GetExperimentByNameAsync(idOrName, cancellationToken)).Experiment;
            }
            catch (ResourceNotFoundException notFound)
            {
                throw new ResourceNotFoundException($"No experiment with id or name '{idOrName}'.", notFound.HttpStatus);
            }
        }
    }
}
