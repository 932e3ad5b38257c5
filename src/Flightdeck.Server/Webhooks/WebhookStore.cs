using System.Text.Json;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Outbox;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Webhooks;

/// <summary>The <c>webhooks</c> table: create, read, update (e.g. enable or disable) and delete subscriptions.</summary>
internal sealed class WebhookStore(Database database)
{
    internal sealed class WebhookRow
    {
        public string id { get; set; } = "";
        public string name { get; set; } = "";
        public string? description { get; set; }
        public string url { get; set; } = "";
        public string events_json { get; set; } = "[]";
        public string? model_name { get; set; }
        public string? secret { get; set; }
        public string status { get; set; } = "";
        public long creation_time { get; set; }
        public long last_updated_time { get; set; }

        public List<string> Events => ParseEvents(events_json);

        public Webhook ToContract() => new()
        {
            WebhookId = id,
            Name = name,
            Description = description,
            Url = url,
            Events = Events,
            ModelName = model_name,
            Status = status,
            HasSecret = secret is not null,
            CreationTimestamp = creation_time,
            LastUpdatedTimestamp = last_updated_time,
        };
    }

    private const string Columns = "id, name, description, url, events_json, model_name, secret, status, creation_time, last_updated_time";

    public async Task<Webhook> CreateAsync(CreateWebhookRequest request, CancellationToken ct)
    {
        var now = Clock.NowMs();
        var row = new WebhookRow
        {
            id = Guid.NewGuid().ToString("N"),
            name = WebhookValidation.Name(request.Name),
            description = WebhookValidation.Description(request.Description),
            url = WebhookValidation.Url(request.Url),
            events_json = SerializeEvents(WebhookValidation.Events(request.Events)),
            model_name = WebhookValidation.ModelName(request.ModelName),
            secret = WebhookValidation.Secret(request.Secret),
            status = WebhookValidation.Status(request.Status),
            creation_time = now,
            last_updated_time = now,
        };
        await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO webhooks ({Columns}) VALUES (@id, @name, @description, @url, @events_json, @model_name, @secret, @status, @creation_time, @last_updated_time)",
            row, transaction, cancellationToken: ct)), ct);
        return row.ToContract();
    }

    public async Task<WebhookRow> GetRowAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition(
            $"SELECT {Columns} FROM webhooks WHERE id = @id", new { id = WebhookValidation.Id(id) }, cancellationToken: ct))
            ?? throw WebhookValidation.NotFound(id);
    }

    public async Task<List<Webhook>> ListAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<WebhookRow>(new CommandDefinition(
            $"SELECT {Columns} FROM webhooks ORDER BY creation_time, id", cancellationToken: ct));
        return rows.Select(r => r.ToContract()).ToList();
    }

    public Task<Webhook> UpdateAsync(string id, UpdateWebhookRequest request, CancellationToken ct)
    {
        id = WebhookValidation.Id(id);
        return database.WriteAsync(async (connection, transaction) =>
        {
            var lockClause = database.IsSqlite ? "" : " FOR UPDATE";
            var row = await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition(
                $"SELECT {Columns} FROM webhooks WHERE id = @id{lockClause}", new { id }, transaction, cancellationToken: ct))
                ?? throw WebhookValidation.NotFound(id);
            row.name = request.Name is null ? row.name : WebhookValidation.Name(request.Name);
            row.description = request.Description is null ? row.description : WebhookValidation.Description(request.Description);
            row.url = request.Url is null ? row.url : WebhookValidation.Url(request.Url);
            row.events_json = request.Events is null ? row.events_json : SerializeEvents(WebhookValidation.Events(request.Events));
            row.model_name = request.ModelName is null ? row.model_name : WebhookValidation.ModelName(request.ModelName);
            row.secret = request.Secret is null ? row.secret : WebhookValidation.Secret(request.Secret);
            row.status = request.Status is null ? row.status : WebhookValidation.Status(request.Status);
            row.last_updated_time = Clock.NowMs();
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE webhooks SET name = @name, description = @description, url = @url, events_json = @events_json,
                    model_name = @model_name, secret = @secret, status = @status, last_updated_time = @last_updated_time
                WHERE id = @id
                """, row, transaction, cancellationToken: ct));
            return row.ToContract();
        }, ct);
    }

    /// <summary>Deletes the webhook and its deliveries, pending ones included.</summary>
    public Task DeleteAsync(string id, CancellationToken ct)
    {
        id = WebhookValidation.Id(id);
        return database.WriteAsync(async (connection, transaction) =>
        {
            var deleted = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM webhooks WHERE id = @id", new { id }, transaction, cancellationToken: ct));
            if (deleted == 0)
            {
                throw WebhookValidation.NotFound(id);
            }

            await OutboxWriter.DeleteSubjectAsync(connection, transaction, WebhookSigner.Kind, id, ct);
        }, ct);
    }

    internal static List<string> ParseEvents(string json) => JsonSerializer.Deserialize(json, WebhookRowJson.Default.ListString) ?? [];

    private static string SerializeEvents(List<string> events) => JsonSerializer.Serialize(events, WebhookRowJson.Default.ListString);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class WebhookRowJson : System.Text.Json.Serialization.JsonSerializerContext;
