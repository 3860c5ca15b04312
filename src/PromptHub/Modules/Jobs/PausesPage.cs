using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PromptHub.Platform.Http;

namespace PromptHub.Modules.Jobs;

/// <summary>
/// `/hangfire/pauses`: every recurring job with its schedule and pause state; whoever may act pauses
/// one with a reason or resumes it. A paused job's firings show up as Skipped with that reason.
/// </summary>
sealed class PausesPage() : DashboardPage("Pause / resume")
{
    protected override void Body()
    {
        var jobs = Service<RecurringJobs>().ListAsync(Http.RequestAborted).GetAwaiter().GetResult();
        if (Query("error") is { Length: > 0 } error) WriteLiteral($"<div class=\"alert alert-danger\">{Encode(error)}</div>");
        WriteLiteral("""
            <p>Hangfire's recurring jobs keep firing on their cron while paused, but each firing is recorded as
            <b>Skipped</b> with the reason below instead of running; <i>Trigger now</i> still runs a paused job.</p>
            <table class="table table-striped" id="pauses"><thead><tr><th>Job</th><th>Schedule</th><th>Next run</th><th>State</th><th></th></tr></thead><tbody>
            """);
        foreach (var job in jobs)
        {
            var state = job.Paused
                ? $"<span class=\"label label-warning\">Paused</span> by {Encode(job.PausedBy)} at {Encode(job.PausedAt?.ToString("u", CultureInfo.InvariantCulture))}: <span class=\"pause-reason\">{Encode(job.PauseReason)}</span>"
                : "<span class=\"label label-success\">Active</span>";
            var action = IsReadOnly ? "" : job.Paused
                ? Form("/pauses/resume", $"<input type=\"hidden\" name=\"job\" value=\"{Encode(job.Id)}\">", "Resume", "btn-success")
                : Form("/pauses/pause", $"<input type=\"hidden\" name=\"job\" value=\"{Encode(job.Id)}\"> <input type=\"text\" name=\"reason\" required maxlength=\"{JobPauses.MaxReasonLength}\" class=\"form-control input-sm\" placeholder=\"Reason\"> ",
                    "Pause", "btn-warning");
            WriteLiteral($"""
                <tr data-job="{Encode(job.Id)}"><td><b>{Encode(job.Id)}</b><br><small>{Encode(job.Description)}</small></td>
                <td><code>{Encode(job.Cron)}</code><br><small>{Encode(job.CronDescription)}</small></td>
                <td>{Encode(job.NextExecution?.ToString("u", CultureInfo.InvariantCulture))}</td><td>{state}</td><td>{action}</td></tr>
                """);
        }
        WriteLiteral("</tbody></table>");
        if (IsReadOnly) WriteLiteral("<p class=\"text-muted\">Read-only: only admin keys pause and resume jobs.</p>");
    }

    public static Task<string> PauseAsync(HttpContext http) =>
        ActAsync(http, async (jobs, form) => await jobs.PauseAsync(form["job"].ToString(), form["reason"].ToString(), Actor(http), http.RequestAborted));

    public static Task<string> ResumeAsync(HttpContext http) =>
        ActAsync(http, async (jobs, form) => await jobs.ResumeAsync(form["job"].ToString(), Actor(http), http.RequestAborted));

    static async Task<string> ActAsync(HttpContext http, Func<RecurringJobs, IFormCollection, Task> act)
    {
        try
        {
            await act(http.RequestServices.GetRequiredService<RecurringJobs>(), await http.Request.ReadFormAsync(http.RequestAborted));
            return "/pauses";
        }
        catch (ProblemException e)
        {
            var message = e.Errors is { } errors ? string.Join("; ", errors.Select(error => $"{error.Key} {string.Join(", ", error.Value)}")) : e.Message;
            return $"/pauses?error={Uri.EscapeDataString(message)}";
        }
    }
}
