// The fastest honest answer to the same request: Kestrel, routing and one endpoint that writes the
// bytes of a real resolve answer (read from the file named as the first argument), with its headers.
var body = File.ReadAllBytes(args[0]);
const string ETag = "\"bare\"";

var builder = WebApplication.CreateSlimBuilder(args.Skip(1).ToArray());
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/api/v1/prompts/{name}/resolve", (HttpContext context) =>
{
    var response = context.Response;
    response.Headers.ETag = ETag;
    response.Headers.CacheControl = "private, max-age=0, must-revalidate";
    response.ContentType = "application/json; charset=utf-8";
    response.ContentLength = body.Length;
    return response.Body.WriteAsync(body).AsTask();
});
app.Run();
