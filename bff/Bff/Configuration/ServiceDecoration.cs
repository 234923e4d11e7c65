namespace Bff.Configuration;

/// <summary>Wrapping a service registered so far (the framework's or the app's) in one of the BFF's.</summary>
internal static class ServiceDecoration
{
    /// <summary>The instance <paramref name="registered"/> describes, made the way the container would make it.</summary>
    public static object Create(this ServiceDescriptor registered, IServiceProvider services) =>
        registered.ImplementationInstance
        ?? registered.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, registered.ImplementationType!);
}
