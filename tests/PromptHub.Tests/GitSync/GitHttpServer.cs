using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace PromptHub.Tests.GitSync;

/// <summary>
/// Git's smart HTTP on loopback: a small Kestrel app that asks for basic credentials and hands each request
/// to `git http-backend` as CGI, serving the bare repositories under <paramref name="root"/>.
/// </summary>
sealed class GitHttpServer(string root, string username, string password) : IAsyncDisposable
{
    WebApplication? _app;
    public string BaseUrl { get; private set; } = "";
    public List<string> Authorizations { get; } = [];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(ServeAsync);
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    async Task ServeAsync(HttpContext http)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));
        var given = http.Request.Headers.Authorization.ToString();
        lock (Authorizations) Authorizations.Add(given);
        if (given != expected)
        {
            http.Response.StatusCode = 401;
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"git\"";
            return;
        }
        var start = new ProcessStartInfo("git", "http-backend") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["GIT_PROJECT_ROOT"] = root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["GATEWAY_INTERFACE"] = "CGI/1.1";
        start.Environment["SERVER_PROTOCOL"] = "HTTP/1.1";
        start.Environment["REQUEST_METHOD"] = http.Request.Method;
        start.Environment["PATH_INFO"] = http.Request.Path.Value;
        start.Environment["QUERY_STRING"] = http.Request.QueryString.Value?.TrimStart('?') ?? "";
        start.Environment["CONTENT_TYPE"] = http.Request.ContentType ?? "";
        start.Environment["REMOTE_USER"] = username;
        start.Environment["REMOTE_ADDR"] = "127.0.0.1";
        if (http.Request.Headers.ContentEncoding.Count > 0) start.Environment["HTTP_CONTENT_ENCODING"] = http.Request.Headers.ContentEncoding.ToString();
        if (http.Request.Headers["Git-Protocol"].Count > 0) start.Environment["GIT_PROTOCOL"] = http.Request.Headers["Git-Protocol"].ToString();
        using var process = Process.Start(start)!;
        var input = Task.Run(async () =>
        {
            await http.Request.Body.CopyToAsync(process.StandardInput.BaseStream);
            process.StandardInput.Close();
        });
        using var output = new MemoryStream();
        var read = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        await Task.WhenAll(input, read, errors);
        await process.WaitForExitAsync();

        // CGI answer: header lines, a blank line, the body.
        var bytes = output.ToArray();
        var split = IndexOf(bytes, "\r\n\r\n"u8, out var gap);
        var headers = Encoding.ASCII.GetString(bytes, 0, split).Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':');
            var (name, value) = (header[..colon].Trim(), header[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase)) http.Response.StatusCode = int.Parse(value[..3]);
            else http.Response.Headers.Append(name, value);
        }
        await http.Response.Body.WriteAsync(bytes.AsMemory(split + gap));
    }

    static int IndexOf(byte[] bytes, ReadOnlySpan<byte> crlf, out int gap)
    {
        var index = bytes.AsSpan().IndexOf(crlf);
        if (index >= 0) { gap = 4; return index; }
        gap = 2;
        return bytes.AsSpan().IndexOf("\n\n"u8);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
