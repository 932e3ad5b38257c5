using Dapper;
using Flightdeck.Server.Tracking;
using Flightdeck.Server.Tracking.Search;
using Microsoft.AspNetCore.Http;

namespace Flightdeck.Server.Registry;

/// <summary>Request plumbing shared by the registry endpoints.</summary>
internal static class RegistryRequest
{
    /// <summary>
    /// A field of a DELETE or PATCH call: MLflow's clients send it in the JSON body, some HTTP clients cannot send a
    /// body with DELETE and put it in the query string instead.
    /// </summary>
    public static string? Field(HttpContext context, string? fromBody, string name) => fromBody ?? context.Request.Query.String(name);

    public static DynamicParameters Parameters(CompiledSearch compiled, long limit, long offset)
    {
        var parameters = new DynamicParameters();
        foreach (var (name, value) in compiled.Parameters)
        {
            parameters.Add(name, value);
        }

        parameters.Add("@limit", limit);
        parameters.Add("@offset", offset);
        return parameters;
    }

    /// <summary>Runs one page of a search: asks for one row more than the page to know whether another page follows.</summary>
    public static async Task<(List<T> Page, string? NextPageToken)> PageAsync<T>(
        Func<long, long, Task<List<T>>> query, int maxResults, string? pageToken)
    {
        var offset = PageToken.Decode(pageToken);
        var page = await query(maxResults + 1L, offset);
        if (page.Count <= maxResults)
        {
            return (page, null);
        }

        page.RemoveAt(page.Count - 1);
        return (page, PageToken.Encode(offset + maxResults));
    }
}
