namespace Bff.Sessions.Store;

/// <summary>
/// The session store (or the key ring stored with it) cannot be reached right now. A store throws it
/// instead of answering "no session"; the request pipeline turns it into 503 <c>session_store_unavailable</c>,
/// so a user is never treated as signed out because of an outage.
/// </summary>
public sealed class SessionStoreUnavailableException : Exception
{
    /// <summary>Says what could not be reached; the cause, if any, is kept as the inner exception.</summary>
    public SessionStoreUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>This exception, wherever it sits among <paramref name="exception"/>'s inner exceptions; or null.</summary>
    public static SessionStoreUnavailableException? Find(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 16; depth++)
        {
            switch (exception)
            {
                case SessionStoreUnavailableException unavailable:
                    return unavailable;
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 1:
                    return aggregate.InnerExceptions.Select(Find).FirstOrDefault(e => e is not null);
            }

            exception = exception.InnerException;
        }

        return null;
    }
}
