
namespace Bff.Tests.Integration;

/// <summary>One real stack (identity provider, demo API, one BFF, in-memory sessions) shared by a test class.</summary>
public sealed class StackFixture : IAsyncLifetime
{
    public TestStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await TestStack.StartAsync();

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}
