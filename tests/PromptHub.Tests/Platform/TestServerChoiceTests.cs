namespace PromptHub.Tests.Platform;

/// <summary>
/// How `dotnet test` finds its PostgreSQL. The container path cannot run where PromptHub is built (no
/// Docker engine there), so its choice is checked here and the start itself only compiles.
/// </summary>
public sealed class TestServerChoiceTests
{
    [Theory]
    [InlineData("Host=db;Username=u", true, true, TestServerSource.Named)]
    [InlineData("Host=db;Username=u", false, false, TestServerSource.Named)]
    [InlineData(null, true, true, TestServerSource.LocalBinaries)]
    [InlineData(" ", true, false, TestServerSource.LocalBinaries)]
    [InlineData(null, false, true, TestServerSource.Container)]
    public void The_first_available_source_wins(string? named, bool binaries, bool docker, TestServerSource expected) =>
        Assert.Equal(expected, TestDatabase.Choose(named, binaries, docker));

    [Fact]
    public void With_none_of_them_the_message_names_all_three_options()
    {
        Assert.Null(TestDatabase.Choose(null, binariesFound: false, dockerAnswers: false));
        Assert.Contains("PROMPTHUB_TEST_DATABASE", TestDatabase.NoServer);
        Assert.Contains("initdb", TestDatabase.NoServer);
        Assert.Contains("postgres:15 container", TestDatabase.NoServer);
        Assert.Equal("postgres:15", TestDatabase.ContainerImage);
    }
}
