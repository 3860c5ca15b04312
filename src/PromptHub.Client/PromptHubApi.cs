using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace PromptHub.Client;

/// <summary>The server's answer to resolve, as its HTTP contract has it.</summary>
sealed record ResolveAnswer(string Name, int Version, string Type, string? TemplateFormat, string? Label, string? Template, List<PromptMessage>? Messages,
    JsonElement? Config, List<string>? Variables, ExperimentVariant? Experiment);

sealed record VariantDefinition(string Name, int Version, int Weight);

/// <summary>An experiment or rollout running on a prompt's label: what local assignment needs.</summary>
sealed record RunningExperiment(string Key, string Label, string Seed, List<VariantDefinition> Variants)
{
    public int[] Weights { get; } = [.. Variants.Select(v => v.Weight)];
}

sealed record ExperimentPage(List<RunningExperimentView> Items);

sealed record RunningExperimentView(string Key, string Label, string Status, string Seed, List<VariantDefinition> Variants);

/// <summary>One execution as <c>POST /api/v1/executions</c> takes it.</summary>
sealed record ExecutionRecord(string Id, string Prompt, int Version, string? Label, string? Experiment, string? Variant, string? Subject,
    double LatencyMs, int? InputTokens, int? OutputTokens, decimal? CostUsd, string? Model, bool Success, double? Score, string? Error,
    DateTimeOffset OccurredAt, string? RenderedPrompt, string? Response, JsonElement? Metadata);

sealed record IngestAnswer(int Accepted, int Duplicates);

/// <summary>A conditional fetch: the new answer and its ETag, or not modified.</summary>
readonly record struct Fetched(ResolveAnswer? Answer, string? ETag)
{
    public bool NotModified => Answer is null;
}

/// <summary>Bad items named by a 400 answer (<c>executions[3].version</c>), with what is wrong with them.</summary>
sealed class RefusedBatchException(string message, IReadOnlyDictionary<int, string> items) : Exception(message)
{
    public IReadOnlyDictionary<int, string> Items { get; } = items;
}

/// <summary>
/// PromptHub's HTTP contract: resolve (conditional on an ETag), the running experiments of a prompt, the ingest
/// of executions. Every call goes through one pipeline: a total timeout around retries of 408/429/5xx and
/// failed connections, with exponential back-off and jitter, or the server's <c>Retry-After</c>.
/// </summary>
sealed class PromptHubApi
{
    public const string HttpClientName = "PromptHub.Client";
    readonly IHttpClientFactory _factory;
    readonly PromptHubClientOptions _options;
    readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public PromptHubApi(IHttpClientFactory factory, IOptions<PromptHubClientOptions> options, TimeProvider time)
    {
        _factory = factory;
        _options = options.Value;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddTimeout(_options.RequestTimeout)
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(_options.MaxRetries, 0) is var n and > 0 ? n : 1,
                ShouldHandle = args => ValueTask.FromResult(_options.MaxRetries > 0 && ShouldRetry(args.Outcome)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryDelay,
                MaxDelay = _options.Reporting.MaxRetryDelay,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>A label's target (or a version) with its content; 404 → <see cref="PromptNotFoundException"/>.</summary>
    public async Task<Fetched> ResolveAsync(string name, string? label, int? version, string? etag, CancellationToken ct)
    {
        var query = version is { } v ? $"version={v}" : $"label={Uri.EscapeDataString(label!)}";
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/prompts/{Uri.EscapeDataString(name)}/resolve?{query}");
            if (etag is not null) request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            return request;
        }, ct);
        if (response.StatusCode == HttpStatusCode.NotModified) return new Fetched(null, etag);
        await EnsureSuccessAsync(response, $"prompt '{name}'", ct);
        var answer = await response.Content.ReadFromJsonAsync<ResolveAnswer>(PromptJson.Options, ct)
            ?? throw new PromptHubException($"PromptHub answered an empty resolve for '{name}'.");
        return new Fetched(answer, response.Headers.ETag?.ToString());
    }

    /// <summary>The experiment or rollout running on the prompt's label, or null.</summary>
    public async Task<RunningExperiment?> RunningExperimentAsync(string name, string label, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get,
            $"api/v1/experiments?status=running&prompt={Uri.EscapeDataString(name)}&pageSize=200"), ct);
        await EnsureSuccessAsync(response, $"experiments of '{name}'", ct);
        var page = await response.Content.ReadFromJsonAsync<ExperimentPage>(PromptJson.Options, ct);
        var running = page?.Items.FirstOrDefault(e => e.Label == label && e.Status == "running");
        return running is null ? null : new RunningExperiment(running.Key, running.Label, running.Seed, running.Variants);
    }

    /// <summary>Sends a batch; a 400 naming items throws <see cref="RefusedBatchException"/> (the batch was taken whole or not at all).</summary>
    public async Task<IngestAnswer> SendExecutionsAsync(IReadOnlyList<ExecutionRecord> batch, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/v1/executions")
        {
            Content = JsonContent.Create(new { executions = batch }, options: PromptJson.Options),
        }, ct);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var problem = await ReadProblemAsync(response, ct);
            var items = new Dictionary<int, string>();
            foreach (var (field, messages) in problem.Errors)
            {
                // "executions[3].version" → item 3
                if (field.StartsWith("executions[", StringComparison.Ordinal) && field.IndexOf(']', StringComparison.Ordinal) is var end and > 11 &&
                    int.TryParse(field.AsSpan(11, end - 11), System.Globalization.CultureInfo.InvariantCulture, out var index))
                {
                    items[index] = items.TryGetValue(index, out var before) ? $"{before}; {field[(end + 1)..].TrimStart('.')} {string.Join(", ", messages)}"
                        : $"{field[(end + 1)..].TrimStart('.')} {string.Join(", ", messages)}";
                }
            }
            throw new RefusedBatchException(problem.Detail ?? "PromptHub refused the batch.", items);
        }
        await EnsureSuccessAsync(response, "executions", ct);
        return await response.Content.ReadFromJsonAsync<IngestAnswer>(PromptJson.Options, ct) ?? new IngestAnswer(batch.Count, 0);
    }

    async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, CancellationToken ct)
    {
        var http = _factory.CreateClient(HttpClientName);
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                using var request = create();
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
                return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
            }, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // The message names the server but never the key.
            throw new PromptHubUnavailableException($"PromptHub at {_options.BaseUrl} could not be reached: {e.Message}", e);
        }
    }

    static bool ShouldRetry(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500,
        _ => false,
    };

    /// <summary>The server's <c>Retry-After</c> (seconds or a date), or null for the exponential back-off.</summary>
    static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero;
        return null;
    }

    async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var problem = await ReadProblemAsync(response, ct);
        var detail = problem.Detail ?? problem.Title ?? response.ReasonPhrase;
        if (response.StatusCode == HttpStatusCode.NotFound) throw new PromptNotFoundException($"PromptHub has no {what}: {detail}");
        if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
        {
            throw new PromptHubUnavailableException($"PromptHub at {_options.BaseUrl} answered {(int)response.StatusCode} for {what} after {_options.MaxRetries} retries: {detail}");
        }
        throw new PromptHubException($"PromptHub refused the request for {what} ({(int)response.StatusCode}): {detail}", response.StatusCode);
    }

    sealed record Problem(string? Title, string? Detail, Dictionary<string, string[]> Errors);

    static async Task<Problem> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(PromptJson.Options, ct);
            string? Text(string property) => body.ValueKind == JsonValueKind.Object && body.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in e.EnumerateObject())
                {
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array ? [.. field.Value.EnumerateArray().Select(m => m.ToString())] : [field.Value.ToString()];
                }
            }
            return new Problem(Text("title"), Text("detail"), errors);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return new Problem(null, null, []);
        }
    }
}
