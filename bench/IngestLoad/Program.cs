// Reports <total> executions of <prompt> (versions 1 and 2) to <base>/api/v1/executions in batches of
// <batch>, <concurrency> requests at a time, each execution with a unique id, spread over <day>
// (YYYY-MM-DD, default today). Prints: events/s, batches, p50 and p99 batch latency (ms), errors.
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: IngestLoad <base url> <reader key> <prompt> <total> [batch=1000] [concurrency=4] [day]");
    return 2;
}
var (baseUrl, key, prompt, total) = (args[0].TrimEnd('/'), args[1], args[2], int.Parse(args[3]));
var batchSize = args.Length > 4 ? int.Parse(args[4]) : 1000;
var concurrency = args.Length > 5 ? int.Parse(args[5]) : 4;
var day = args.Length > 6 ? DateOnly.Parse(args[6]) : DateOnly.FromDateTime(DateTime.UtcNow);
var start = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
var span = Math.Max(1, Math.Min((DateTime.UtcNow - start).TotalSeconds - 5, 86_399));
var run = Guid.NewGuid().ToString("N")[..8];

// Bodies are built before the clock starts: the measure is the server's, not this generator's.
var batches = (total + batchSize - 1) / batchSize;
var bodies = new byte[batches][];
var random = new Random(42);
for (var b = 0; b < batches; b++)
{
    var json = new StringBuilder(batchSize * 260).Append("{\"executions\":[");
    for (var i = 0; i < batchSize && b * batchSize + i < total; i++)
    {
        var n = b * batchSize + i;
        if (i > 0) json.Append(',');
        var at = start.AddSeconds(random.NextDouble() * span).ToString("O");
        json.Append("{\"id\":\"").Append(run).Append('-').Append(n)
            .Append("\",\"prompt\":\"").Append(prompt).Append("\",\"version\":").Append(1 + n % 2)
            .Append(",\"label\":\"production\",\"subject\":\"user-").Append(n % 5000)
            .Append("\",\"latencyMs\":").Append(200 + random.Next(1800))
            .Append(",\"inputTokens\":").Append(300 + random.Next(700)).Append(",\"outputTokens\":").Append(50 + random.Next(300))
            .Append(",\"costUsd\":0.000").Append(100 + random.Next(899)).Append(",\"model\":\"gpt-4o-mini\",\"success\":")
            .Append(random.Next(20) == 0 ? "false,\"error\":\"timeout\"" : "true").Append(",\"occurredAt\":\"").Append(at).Append("\"}");
    }
    bodies[b] = Encoding.UTF8.GetBytes(json.Append("]}").ToString());
}

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromMinutes(2) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
var latencies = new double[batches];
var errors = 0;
var next = -1;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
{
    int b;
    while ((b = Interlocked.Increment(ref next)) < batches)
    {
        var sent = Stopwatch.GetTimestamp();
        using var content = new ByteArrayContent(bodies[b]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync($"{baseUrl}/api/v1/executions", content);
        latencies[b] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        if ((int)response.StatusCode != 202)
        {
            Interlocked.Increment(ref errors);
            Console.Error.WriteLine($"batch {b}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}));
var seconds = clock.Elapsed.TotalSeconds;
Array.Sort(latencies);
double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Round(p * (latencies.Length - 1)))];
Console.WriteLine(FormattableString.Invariant($"{total / seconds:F0} {batches} {Percentile(0.5):F1} {Percentile(0.99):F1} {errors} {seconds:F1}"));
return errors == 0 ? 0 : 1;
