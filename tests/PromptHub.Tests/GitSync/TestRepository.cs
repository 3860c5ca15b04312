using System.Diagnostics;

namespace PromptHub.Tests.GitSync;

/// <summary>
/// A real Git repository made with the git CLI in a temp folder: a bare repository (what PromptHub fetches)
/// and a working clone the test writes, commits and pushes in.
/// </summary>
sealed class TestRepository : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("prompthub-git-").FullName;
    public string Bare => Path.Combine(Root, "prompts.git");
    string Work => Path.Combine(Root, "work");
    public string FileUrl => new Uri(Bare).AbsoluteUri;

    public TestRepository()
    {
        Git(Root, "init", "--quiet", "--bare", "--initial-branch=main", Bare);
        Git(Root, "clone", "--quiet", Bare, Work);
        Git(Work, "checkout", "--quiet", "-b", "main");
    }

    public TestRepository Write(string path, string text)
    {
        var file = Path.Combine(Work, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return this;
    }

    public TestRepository Delete(string path)
    {
        File.Delete(Path.Combine(Work, path));
        return this;
    }

    /// <summary>Commits everything as <paramref name="author"/> and pushes to the bare repository; returns the commit's SHA.</summary>
    public string Commit(string message, string author = "Ada Lovelace <ada@example.com>")
    {
        Git(Work, "add", "-A");
        Git(Work, "-c", "user.name=PromptHub Tests", "-c", "user.email=tests@example.com", "commit", "--quiet", "--allow-empty", "-m", message, "--author", author);
        Git(Work, "push", "--quiet", "origin", "HEAD:main");
        return Git(Work, "rev-parse", "HEAD").Trim();
    }

    public static string Git(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
        return output.Result;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
