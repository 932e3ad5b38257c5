using System.Data.Common;
using System.Globalization;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Endpoints;

/// <summary>A change of one endpoint: its state afterwards and the history event that records it.</summary>
internal sealed record EndpointChange(ServingEndpoint After, string EventType, string? RolloutId = null, string? Reason = null,
    GuardrailReading? Reading = null);

/// <summary>
/// The <c>endpoints</c> and <c>endpoint_events</c> tables. Every write appends its event in the same transaction, and
/// every change reads the row, decides, and writes it back only if its row version is still the one read, so two
/// servers sharing a database cannot both apply a transition to the same state.
/// </summary>
internal sealed class EndpointStore(Database database)
{
    public async Task<ServingEndpoint> CreateAsync(ServingEndpoint endpoint, CancellationToken ct)
    {
        var now = Clock.NowMs();
        var created = endpoint with { CreationTimestamp = now, LastUpdatedTimestamp = now };
        try
        {
            return await database.WriteAsync(async (connection, transaction) =>
            {
                var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM endpoints WHERE name = @Name", new { created.Name }, transaction, cancellationToken: ct));
                if (exists > 0)
                    throw EndpointValidation.AlreadyExists(created.Name);
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO endpoints ({EndpointRow.Columns}) VALUES (@name, @description, @state, @routes_json, @settings_json, @rollout_json, @row_version, @creation_time, @last_updated_time)",
                    ToRow(created, rowVersion: 1), transaction, cancellationToken: ct));
                await AppendEventAsync(connection, transaction, new EndpointChange(created, EndpointEventType.Created), now, ct);
                return created;
            }, ct);
        }
        catch (DbException e) when (e.SqlState == "23505")
        {
            throw EndpointValidation.AlreadyExists(created.Name); // created by another server between the check and the insert
        }
    }

    public async Task<ServingEndpoint?> FindAsync(string name, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<EndpointRow>(new CommandDefinition(
            $"SELECT {EndpointRow.Columns} FROM endpoints WHERE name = @name", new { name }, cancellationToken: ct));
        return row?.ToContract();
    }

    public async Task<ServingEndpoint> GetAsync(string name, CancellationToken ct) =>
        await FindAsync(name, ct) ?? throw EndpointValidation.NotFound(name);

    public async Task<List<ServingEndpoint>> ListAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<EndpointRow>(new CommandDefinition(
            $"SELECT {EndpointRow.Columns} FROM endpoints ORDER BY name", cancellationToken: ct));
        return [.. rows.Select(r => r.ToContract())];
    }

    /// <summary>Applies <paramref name="decide"/> to the endpoint's current state in one transaction. It returns the
    /// change to write, or null for none (then this returns null); it throws to refuse.</summary>
    public Task<ServingEndpoint?> ChangeAsync(string name, Func<ServingEndpoint, EndpointChange?> decide, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var lockClause = database.IsSqlite ? "" : " FOR UPDATE";
            var row = await connection.QuerySingleOrDefaultAsync<EndpointRow>(new CommandDefinition(
                $"SELECT {EndpointRow.Columns} FROM endpoints WHERE name = @name{lockClause}", new { name }, transaction, cancellationToken: ct))
                ?? throw EndpointValidation.NotFound(name);
            var change = decide(row.ToContract());
            if (change is null)
                return null;
            var now = Clock.NowMs();
            var after = change.After with
            {
                Name = row.name,
                State = change.After.Rollout?.Status == RolloutStatus.InProgress ? EndpointState.Updating : EndpointState.Ready,
                CreationTimestamp = row.creation_time,
                LastUpdatedTimestamp = now,
            };
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE endpoints SET description = @description, state = @state, routes_json = @routes_json, settings_json = @settings_json,
                    rollout_json = @rollout_json, row_version = @row_version, last_updated_time = @last_updated_time
                WHERE name = @name AND row_version = @expected
                """,
                new
                {
                    name = after.Name,
                    description = after.Description,
                    state = after.State,
                    routes_json = EndpointRowJson.Write(after.Routes),
                    settings_json = EndpointRowJson.Write(after.Settings),
                    rollout_json = EndpointRowJson.Write(after.Rollout),
                    row_version = row.row_version + 1,
                    last_updated_time = now,
                    expected = row.row_version,
                }, transaction, cancellationToken: ct));
            if (updated == 0)
                throw EndpointValidation.Conflict($"Endpoint '{name}' changed while this change was being applied; try again.");
            await AppendEventAsync(connection, transaction, change with { After = after }, now, ct);
            return after;
        }, ct);

    public Task DeleteAsync(string name, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var deleted = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM endpoints WHERE name = @name", new { name }, transaction, cancellationToken: ct));
            if (deleted == 0)
                throw EndpointValidation.NotFound(name);
            await AppendEventAsync(connection, transaction, new EndpointChange(new ServingEndpoint { Name = name }, EndpointEventType.Deleted),
                Clock.NowMs(), ct);
        }, ct);

    /// <summary>The endpoint's events newest first, from before the event id in <paramref name="pageToken"/>; an
    /// endpoint deleted since keeps its history.</summary>
    public async Task<ListEndpointEventsResponse> HistoryAsync(string name, string? pageToken, int limit, CancellationToken ct)
    {
        long? before = string.IsNullOrEmpty(pageToken) ? null
            : long.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
            : throw FlightdeckException.InvalidParameter($"Invalid page_token '{Validation.Shorten(pageToken)}'.");
        await using var connection = await database.OpenAsync(ct);
        var sql = $"SELECT {EndpointEventRow.Columns} FROM endpoint_events WHERE endpoint_name = @name"
            + (before is null ? "" : " AND id < @before") + " ORDER BY id DESC LIMIT @take";
        var rows = (await connection.QueryAsync<EndpointEventRow>(new CommandDefinition(
            sql, new { name, before = before ?? 0, take = limit + 1 }, cancellationToken: ct))).ToList();
        if (rows.Count == 0 && before is null)
            throw EndpointValidation.NotFound(name);
        var page = rows.Take(limit).ToList();
        return new ListEndpointEventsResponse
        {
            Events = [.. page.Select(r => r.ToContract())],
            NextPageToken = rows.Count > limit ? page[^1].id.ToString(CultureInfo.InvariantCulture) : null,
        };
    }

    private async Task AppendEventAsync(DbConnection connection, DbTransaction transaction, EndpointChange change, long now, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO endpoint_events (endpoint_name, event_time, type, routes_json, rollout_id, reason, reading_json)
            VALUES (@endpoint_name, @event_time, @type, @routes_json, @rollout_id, @reason, @reading_json)
            """,
            new
            {
                endpoint_name = change.After.Name,
                event_time = now,
                type = change.EventType,
                routes_json = EndpointRowJson.Write(change.After.Routes),
                rollout_id = change.RolloutId,
                reason = change.Reason,
                reading_json = EndpointRowJson.Write(change.Reading),
            }, transaction, cancellationToken: ct));
        foreach (var route in change.After.Routes)
        {
            if (!int.TryParse(route.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                continue;
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO endpoint_versions (endpoint_name, model_name, version, first_time) VALUES (@endpoint, @model, @version, @now)
                ON CONFLICT (endpoint_name, model_name, version) DO NOTHING
                """,
                new { endpoint = change.After.Name, model = route.ModelName, version, now }, transaction, cancellationToken: ct));
        }
    }

    private static EndpointRow ToRow(ServingEndpoint endpoint, long rowVersion) => new()
    {
        name = endpoint.Name,
        description = endpoint.Description,
        state = endpoint.State,
        routes_json = EndpointRowJson.Write(endpoint.Routes),
        settings_json = EndpointRowJson.Write(endpoint.Settings),
        rollout_json = EndpointRowJson.Write(endpoint.Rollout),
        row_version = rowVersion,
        creation_time = endpoint.CreationTimestamp,
        last_updated_time = endpoint.LastUpdatedTimestamp,
    };
}
