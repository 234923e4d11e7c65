using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Bff.Tests.PublicApi;

/// <summary>
/// The library's public types and members, written one a line in a stable order and compared to the
/// checked-in <c>public-api.txt</c>: a change to the public surface shows up in review as a change to that file.
/// </summary>
public sealed class PublicApiTests
{
    private const string UpdateVariable = "BFF_UPDATE_PUBLIC_API";

    [Fact]
    public void The_public_api_matches_the_checked_in_snapshot()
    {
        var actual = Describe(typeof(BffOptions).Assembly);
        var file = Path.Combine(SourceDirectory(), "public-api.txt");

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(file, actual);
        }

        var expected = File.Exists(file) ? File.ReadAllText(file).ReplaceLineEndings("\n") : "";
        Assert.True(expected == actual,
            $"The public API of the Bff assembly changed. If the change is intended, run the tests with {UpdateVariable}=1 " +
            $"to rewrite {file} and commit it.\n" + Difference(expected, actual));
    }

    internal static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add(TypeLine(type));
            var members = new List<string>();
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                       BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(flags))
            {
                if (MemberLine(member) is { } line)
                {
                    members.Add("  " + line);
                }
            }

            lines.AddRange(members.Order(StringComparer.Ordinal));
        }

        return string.Join("\n", lines) + "\n";
    }

    private static string TypeLine(Type type)
    {
        var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" :
            typeof(Delegate).IsAssignableFrom(type) ? "delegate" :
            type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : type.IsAbstract ? "abstract class" : "class";
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
        {
            bases.Add(Name(baseType));
        }

        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return $"{kind} {Name(type)}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : "");
    }

    private static string? MemberLine(MemberInfo member)
    {
        switch (member)
        {
            case ConstructorInfo ctor when Visible(ctor):
                return $"{Access(ctor)}ctor({Parameters(ctor)})";
            case MethodInfo method when Visible(method) && !method.IsSpecialName:
                return $"{Access(method)}{(method.IsStatic ? "static " : "")}{Name(method.ReturnType)} {method.Name}" +
                       (method.IsGenericMethod ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : "") +
                       $"({Parameters(method)})";
            case PropertyInfo property:
                var accessors = new[] { ("get", property.GetMethod), ("set", property.SetMethod) }
                    .Where(a => a.Item2 is not null && Visible(a.Item2))
                    .Select(a => a.Item2!.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) ? "init" : a.Item1)
                    .ToList();
                return accessors.Count == 0 ? null : $"property {Name(property.PropertyType)} {property.Name} {{ {string.Join("; ", accessors)}; }}";
            case FieldInfo field when (field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly) && !field.IsSpecialName:
                var value = field.IsLiteral ? " = " + Literal(field.GetRawConstantValue()) : "";
                return $"{(field.IsLiteral ? "const" : field.IsStatic ? "static field" : "field")} {Name(field.FieldType)} {field.Name}{value}";
            case EventInfo e when e.AddMethod is { } add && Visible(add):
                return $"event {Name(e.EventHandlerType!)} {e.Name}";
            case Type nested when nested.IsNestedPublic:
                return $"nested {nested.Name}";
            default:
                return null;
        }
    }

    private static bool Visible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static string Access(MethodBase method) => method.IsPublic ? "" : "protected ";

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p =>
            (p.IsDefined(typeof(ExtensionAttribute)) || (p.Position == 0 && method.IsDefined(typeof(ExtensionAttribute))) ? "this " : "") +
            Name(p.ParameterType) + " " + p.Name + (p.HasDefaultValue ? " = " + Literal(p.DefaultValue) : "")));

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return "ref " + Name(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        var name = (type.IsNested ? Name(type.DeclaringType!) + "." : type.Namespace + ".") + type.Name;
        if (!type.IsGenericType)
        {
            return name;
        }

        return name[..name.IndexOf('`')] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }

    private static string Difference(string expected, string actual)
    {
        var before = expected.Split('\n').ToHashSet();
        var after = actual.Split('\n').ToHashSet();
        var text = new StringBuilder();
        foreach (var line in expected.Split('\n').Where(l => !after.Contains(l)))
        {
            text.Append("- ").AppendLine(line);
        }

        foreach (var line in actual.Split('\n').Where(l => !before.Contains(l)))
        {
            text.Append("+ ").AppendLine(line);
        }

        return text.ToString();
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
