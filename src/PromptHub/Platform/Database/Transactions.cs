using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace PromptHub.Platform.Database;

static class Transactions
{
    /// <summary>
    /// A transaction of our own, or the caller's one when a use case runs inside another (a new
    /// project's example prompts are written in the project's transaction). Only the owner commits.
    /// </summary>
    public static async Task<OwnedTransaction> BeginOrJoinTransactionAsync(this PromptHubDb db, CancellationToken ct) =>
        new(db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null);

    public sealed class OwnedTransaction(IDbContextTransaction? owned) : IAsyncDisposable
    {
        public Task CommitAsync(CancellationToken ct) => owned?.CommitAsync(ct) ?? Task.CompletedTask;
        public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
