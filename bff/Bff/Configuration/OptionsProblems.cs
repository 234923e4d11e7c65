namespace Bff.Configuration;

/// <summary>What is wrong with a settings object, every problem at once, each saying how to fix it.</summary>
internal sealed class OptionsProblems
{
    private readonly List<string> _problems = [];

    public void RefuseIf(bool wrong, string message)
    {
        if (wrong)
        {
            _problems.Add(message);
        }
    }

    public ValidateOptionsResult Result => _problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_problems);
}
