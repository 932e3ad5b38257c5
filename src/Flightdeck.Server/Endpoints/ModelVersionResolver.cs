using System.Globalization;
using Flightdeck.Contracts;
using Flightdeck.Server.Registry;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Endpoints;

/// <summary>Turns the model versions an endpoint names (a number or an alias) into registered version numbers.</summary>
internal sealed class ModelVersionResolver(ModelVersionStore versions, RegisteredModelStore models)
{
    /// <summary>The version number of <paramref name="version"/> or <paramref name="alias"/> (exactly one given);
    /// 404 when the model, version or alias does not exist.</summary>
    public async Task<string> ResolveAsync(string? modelName, string? version, string? alias, CancellationToken ct)
    {
        var name = RegistryValidation.ModelName(modelName, "model_name");
        if (!string.IsNullOrEmpty(version) && !string.IsNullOrEmpty(alias))
            throw FlightdeckException.InvalidParameter("Give either 'version' or 'alias', not both.");
        if (!string.IsNullOrEmpty(alias))
            return (await models.GetByAliasAsync(name, RegistryValidation.Alias(alias), ct)).Version;
        if (string.IsNullOrEmpty(version))
            throw FlightdeckException.InvalidParameter("Give the model 'version' or an 'alias' of it.");
        return (await versions.GetAsync(name, RegistryValidation.Version(version), ct)).Version;
    }

    /// <summary>Checks that every route names an existing version.</summary>
    public async Task CheckExistAsync(IEnumerable<EndpointRoute> routes, CancellationToken ct)
    {
        foreach (var route in routes)
        {
            if (!int.TryParse(route.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                throw FlightdeckException.InvalidParameter($"Route version '{Validation.Shorten(route.Version)}' is not a version number.");
            _ = await versions.GetAsync(RegistryValidation.ModelName(route.ModelName, "model_name"), number, ct);
        }
    }

    /// <summary>Where a version's files are (its storage location).</summary>
    public Task<string> LocationAsync(string modelName, string version, CancellationToken ct) =>
        versions.DownloadUriAsync(modelName, RegistryValidation.Version(version), ct);
}
