using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Recur.Tests.Architecture;

/// <summary>
/// Which namespaces of an assembly use which, read from its compiled code with Mono.Cecil:
/// base types, interfaces, fields, properties, signatures, attributes, local variables and
/// every type, method or field an instruction names (so a reference inside a method body,
/// a lambda or an iterator counts too). Namespaces equal folders in this repository, so this
/// is the folder graph. Compiler-generated nested types count for the type that declares them.
/// </summary>
internal sealed class DependencyGraph
{
    private readonly Dictionary<string, Dictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);

    private DependencyGraph(ModuleDefinition module)
    {
        foreach (var type in module.Types)
            if (NamespaceOf(type).StartsWith("Recur", StringComparison.Ordinal)) Visit(type, NamespaceOf(type), module);
    }

    /// <summary>The graph of the assembly at <paramref name="path"/>.</summary>
    public static DependencyGraph Read(string path)
    {
        using var module = ModuleDefinition.ReadModule(path, new ReaderParameters { ReadSymbols = false });
        return new DependencyGraph(module);
    }

    /// <summary>Every namespace that declares a type.</summary>
    public IEnumerable<string> Namespaces => _edges.Keys.Order(StringComparer.Ordinal);

    /// <summary>Namespaces <paramref name="from"/> uses (other than itself), each with an example "Type → Type" reference.</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> Uses(string from) =>
        _edges.TryGetValue(from, out var targets) ? targets : new Dictionary<string, SortedSet<string>>();

    private void Visit(TypeDefinition type, string ns, ModuleDefinition module)
    {
        if (!_edges.ContainsKey(ns)) _edges[ns] = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        string who = type.FullName;
        void Use(TypeReference? t) => AddType(ns, who, t, module);

        Use(type.BaseType);
        foreach (var i in type.Interfaces) Use(i.InterfaceType);
        foreach (var g in type.GenericParameters)
            foreach (var c in g.Constraints) Use(c.ConstraintType);
        foreach (var a in type.CustomAttributes) Use(a.AttributeType);
        foreach (var f in type.Fields)
        {
            Use(f.FieldType);
            foreach (var a in f.CustomAttributes) Use(a.AttributeType);
        }
        foreach (var p in type.Properties) Use(p.PropertyType);
        foreach (var e in type.Events) Use(e.EventType);
        foreach (var m in type.Methods)
        {
            Use(m.ReturnType);
            foreach (var p in m.Parameters) Use(p.ParameterType);
            foreach (var a in m.CustomAttributes) Use(a.AttributeType);
            foreach (var g in m.GenericParameters)
                foreach (var c in g.Constraints) Use(c.ConstraintType);
            if (!m.HasBody) continue;
            foreach (var v in m.Body.Variables) Use(v.VariableType);
            foreach (Instruction ins in m.Body.Instructions)
            {
                switch (ins.Operand)
                {
                    case TypeReference t:
                        Use(t);
                        break;
                    case MethodReference mr:
                        Use(mr.DeclaringType);
                        Use(mr.ReturnType);
                        foreach (var p in mr.Parameters) Use(p.ParameterType);
                        if (mr is GenericInstanceMethod gm)
                            foreach (var arg in gm.GenericArguments) Use(arg);
                        break;
                    case FieldReference fr:
                        Use(fr.DeclaringType);
                        Use(fr.FieldType);
                        break;
                }
            }
        }
        foreach (var nested in type.NestedTypes) Visit(nested, ns, module);
    }

    private void AddType(string ns, string who, TypeReference? t, ModuleDefinition module)
    {
        if (t is null || t is GenericParameter) return;
        switch (t)
        {
            case GenericInstanceType git:
                AddType(ns, who, git.ElementType, module);
                foreach (var arg in git.GenericArguments) AddType(ns, who, arg, module);
                return;
            case TypeSpecification spec:   // arrays, pointers, by-ref, modifiers
                AddType(ns, who, spec.ElementType, module);
                return;
        }
        if (t.Scope is not ModuleDefinition scope || scope != module) return;   // another assembly
        string target = NamespaceOf(t);
        if (target == ns || !target.StartsWith("Recur", StringComparison.Ordinal)) return;
        var targets = _edges[ns];
        if (!targets.TryGetValue(target, out var examples)) targets[target] = examples = new SortedSet<string>(StringComparer.Ordinal);
        if (examples.Count < 3) examples.Add($"{who} → {t.FullName}");
    }

    // A nested type lives in the namespace of the type that declares it.
    private static string NamespaceOf(TypeReference t)
    {
        while (t.DeclaringType is not null) t = t.DeclaringType;
        return t.Namespace;
    }
}
