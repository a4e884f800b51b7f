// include/linux/license.h: the MODULE_LICENSE() strings that do not taint the kernel.
export function licenseIsGplCompatible(license: string | undefined): boolean {
  return license === 'GPL' || license === 'GPL v2' || license === 'GPL and additional rights' || license === 'Dual BSD/GPL' ||
    license === 'Dual MIT/GPL' || license === 'Dual MPL/GPL';
}
