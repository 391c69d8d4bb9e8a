namespace Regs.Runtime;

/// <summary>
/// A configuration generation counter (virtio 1.2 section 2.5.1): its value changes whenever the
/// device changes its configuration, so a reader can tell that several reads saw one state.
/// Each transport implements it over its own register.
/// </summary>
public interface IGenerationCounter
{
    /// <summary>The current generation.</summary>
    uint ReadGeneration();
}
