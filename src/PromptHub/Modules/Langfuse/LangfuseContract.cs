namespace PromptHub.Modules.Langfuse;

// What other modules may use of the Langfuse module: this file, nothing else. It publishes nothing: the module
// is a translation layer that only calls others (the Prompts module's registry and reads, the Serving module's
// resolve); nothing calls into it but HTTP.
