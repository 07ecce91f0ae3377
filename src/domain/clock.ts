// Time as a dependency: code that must be testable takes a Clock instead of calling Date.now().
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
