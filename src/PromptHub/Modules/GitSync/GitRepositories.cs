using LibGit2Sharp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PromptHub.Modules.GitSync;

/// <summary>A fetch that did not work: the message is safe to store and show (it never holds a credential).</summary>
public sealed class FetchFailedException(string message) : Exception(message);

/// <summary>A `*.prompt` file at the fetched commit: its path under the source's folder, blob and text.</summary>
public sealed record RepositoryFile(string FilePath, string PromptName, string BlobSha, string Text, string? Error);

/// <summary>What a fetch found: the branch's commit and its prompt files.</summary>
public sealed record FetchedTree(string Commit, IReadOnlyList<RepositoryFile> Files, IReadOnlyList<string> Skipped);

/// <summary>Who last changed a file, for the version's author and commit message.</summary>
public sealed record FileCommit(string Sha, string Author, string Subject);

/// <summary>
/// One bare clone per project in the data folder (no working tree), fetching only the source's branch.
/// Files are read from the commit's tree. Credentials go to libgit2 through its callback only: the URL never holds them.
/// </summary>
sealed class GitRepositories(IOptions<GitSyncOptions> options, IHostEnvironment environment)
{
    const string Remote = "origin";
    readonly GitSyncOptions _options = options.Value;

    public string Folder => string.IsNullOrWhiteSpace(_options.DataFolder) ? DefaultFolder(environment.ContentRootPath) : _options.DataFolder;

    string CloneOf(Guid projectId) => System.IO.Path.Combine(Folder, projectId.ToString("N") + ".git");

    /// <summary>Forgets a project's clone (disconnect, or a new URL or branch).</summary>
    public void Remove(Guid projectId)
    {
        var clone = CloneOf(projectId);
        if (!Directory.Exists(clone)) return;
        foreach (var file in Directory.EnumerateFiles(clone, "*", SearchOption.AllDirectories)) File.SetAttributes(file, FileAttributes.Normal);
        Directory.Delete(clone, recursive: true);
    }

    /// <summary>Fetches the branch and reads every `*.prompt` file under <paramref name="path"/>; throws <see cref="FetchFailedException"/>.</summary>
    public FetchedTree Fetch(Guid projectId, string url, string branch, string path, string? username, string? token)
    {
        var clone = CloneOf(projectId);
        try
        {
            if (!Repository.IsValid(clone))
            {
                Remove(projectId); // what a crash during the first fetch may have left
                Directory.CreateDirectory(clone);
                Repository.Init(clone, isBare: true);
            }
            using var repository = new Repository(clone);
            if (repository.Network.Remotes[Remote] is null) repository.Network.Remotes.Add(Remote, url);
            else repository.Network.Remotes.Update(Remote, r => r.Url = url);

            var tooBig = false;
            var fetch = new FetchOptions
            {
                TagFetchMode = TagFetchMode.None,
                OnTransferProgress = progress => !(tooBig = progress.ReceivedBytes > _options.MaxRepositoryBytes),
            };
            if (token is not null)
            {
                fetch.CredentialsProvider = (_, _, _) => new UsernamePasswordCredentials { Username = username ?? "git", Password = token };
            }
            var remoteRef = $"refs/remotes/{Remote}/{branch}";
            try
            {
                Commands.Fetch(repository, Remote, [$"+refs/heads/{branch}:{remoteRef}"], fetch, logMessage: null);
            }
            catch (LibGit2SharpException) when (tooBig)
            {
                throw new FetchFailedException($"the repository is larger than PromptHub:GitSync:MaxRepositoryBytes ({_options.MaxRepositoryBytes} bytes): nothing was imported");
            }
            catch (LibGit2SharpException e)
            {
                throw new FetchFailedException(Describe(e, token));
            }
            if (SizeOnDisk(clone) > _options.MaxRepositoryBytes)
            {
                throw new FetchFailedException($"the repository is larger than PromptHub:GitSync:MaxRepositoryBytes ({_options.MaxRepositoryBytes} bytes): nothing was imported");
            }
            var commit = (repository.Refs[remoteRef] is { } fetched ? repository.Lookup<Commit>(fetched.TargetIdentifier) : null)
                ?? throw new FetchFailedException($"the repository has no branch '{branch}'");
            return Read(commit, path);
        }
        catch (LibGit2SharpException e)
        {
            throw new FetchFailedException(Describe(e, token));
        }
    }

    /// <summary>The newest commit (first parents from the fetched one) that changed the file; the fetched commit when none is found nearby.</summary>
    public FileCommit LastChange(Guid projectId, string commitSha, string filePath)
    {
        using var repository = new Repository(CloneOf(projectId));
        var head = repository.Lookup<Commit>(commitSha);
        var commit = head;
        for (var depth = 0; ; depth++)
        {
            if (depth == 1000) { commit = head; break; }
            var parent = commit.Parents.FirstOrDefault();
            if (parent is null || parent[filePath]?.Target.Sha != commit[filePath]?.Target.Sha) break;
            commit = parent;
        }
        return new FileCommit(commit.Sha, commit.Author.Name, commit.MessageShort);
    }

    FetchedTree Read(Commit commit, string path)
    {
        var root = path.Length == 0 ? commit.Tree : commit[path]?.Target as Tree;
        if (root is null) throw new FetchFailedException($"the branch has no folder '{path}'");
        var files = new List<RepositoryFile>();
        var skipped = new List<string>();
        Walk(root, path.Length == 0 ? "" : path + "/", "");
        return new FetchedTree(commit.Sha, files, skipped);

        void Walk(Tree tree, string repositoryPrefix, string relativePrefix)
        {
            foreach (var entry in tree)
            {
                if (entry.Target is Tree folder)
                {
                    Walk(folder, repositoryPrefix + entry.Name + "/", relativePrefix + entry.Name + "/");
                }
                else if (entry.Target is Blob blob && entry.Name.EndsWith(PromptFile.Extension, StringComparison.Ordinal))
                {
                    if (files.Count == _options.MaxFiles)
                    {
                        throw new FetchFailedException($"the folder has more than PromptHub:GitSync:MaxFiles ({_options.MaxFiles}) prompt files: nothing was imported");
                    }
                    var name = relativePrefix + entry.Name[..^PromptFile.Extension.Length];
                    var filePath = repositoryPrefix + entry.Name;
                    files.Add(blob.Size > _options.MaxFileBytes
                        ? new RepositoryFile(filePath, name, blob.Sha, "", $"the file has {blob.Size} bytes, more than PromptHub:GitSync:MaxFileBytes ({_options.MaxFileBytes})")
                        : ReadText(filePath, name, blob));
                }
            }
        }
    }

    static RepositoryFile ReadText(string filePath, string name, Blob blob)
    {
        using var stream = blob.GetContentStream();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        try
        {
            return new RepositoryFile(filePath, name, blob.Sha, new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(memory.ToArray()), null);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return new RepositoryFile(filePath, name, blob.Sha, "", "the file is not UTF-8 text");
        }
    }

    /// <summary>libgit2's message, with the token taken out should a server ever echo it.</summary>
    static string Describe(LibGit2SharpException e, string? token)
    {
        var message = e.Message.Contains("authentication replays", StringComparison.Ordinal)
            ? "the repository refused the credentials (check username and token)"
            : e.Message;
        if (!string.IsNullOrEmpty(token)) message = message.Replace(token, "***", StringComparison.Ordinal);
        return message.Length > 500 ? message[..500] : message;
    }

    static long SizeOnDisk(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>`.prompthub/git` at the repository root (found by PromptHub.sln, as the embedded database), else under the content root.</summary>
    static string DefaultFolder(string contentRoot)
    {
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "PromptHub.sln"))) return System.IO.Path.Combine(dir.FullName, ".prompthub", "git");
        }
        return System.IO.Path.Combine(contentRoot, ".prompthub", "git");
    }
}
