namespace PromptHub.Modules.Notifications;

// What other modules may use of the Notifications module: this file, nothing else. It publishes nothing: it
// implements the events the Prompts and Experiments modules publish (IPromptEvents, IExperimentEvents) and
// answers HTTP, the dashboard and its delivery job.
