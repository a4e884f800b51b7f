/* Linux 2.2 <linux/fs.h>: inode, file, file_operations and register_chrdev. */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/types.h>
#include <linux/kdev_t.h>
#include <linux/errno.h>
#include <linux/ioctl.h>
#include <asm/system.h>
#include <linux/string.h>

struct poll_table_struct;
struct vm_area_struct;
struct file_lock;
typedef unsigned long ino_t;
typedef int (*filldir_t)(void *, const char *, int, off_t, ino_t);

/* Layout mirrored in emulator/kernel/kapi/layout.ts (checked by a test). */
struct inode {
	kdev_t i_dev;
	unsigned long i_ino;
	umode_t i_mode;
	nlink_t i_nlink;
	uid_t i_uid;
	gid_t i_gid;
	kdev_t i_rdev;
	off_t i_size;
	void *u_generic_ip;
};

struct dentry {
	struct inode *d_inode;
	struct dentry *d_parent;
};

struct file {
	struct dentry *f_dentry;
	struct file_operations *f_op;
	mode_t f_mode;
	loff_t f_pos;
	unsigned int f_count;
	unsigned int f_flags;
	void *private_data;
};

struct file_operations {
	loff_t (*llseek)(struct file *, loff_t, int);
	ssize_t (*read)(struct file *, char *, size_t, loff_t *);
	ssize_t (*write)(struct file *, const char *, size_t, loff_t *);
	int (*readdir)(struct file *, void *, filldir_t);
	unsigned int (*poll)(struct file *, struct poll_table_struct *);
	int (*ioctl)(struct inode *, struct file *, unsigned int, unsigned long);
	int (*mmap)(struct file *, struct vm_area_struct *);
	int (*open)(struct inode *, struct file *);
	int (*flush)(struct file *);
	int (*release)(struct inode *, struct file *);
	int (*fsync)(struct file *, struct dentry *);
	int (*fasync)(int, struct file *, int);
	int (*check_media_change)(kdev_t dev);
	int (*revalidate)(kdev_t dev);
	int (*lock)(struct file *, int, struct file_lock *);
};

#define FMODE_READ 1
#define FMODE_WRITE 2

#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_NONBLOCK 00004000
#define O_NDELAY O_NONBLOCK

extern int register_chrdev(unsigned int major, const char *name, struct file_operations *fops);
extern int unregister_chrdev(unsigned int major, const char *name);

#endif
