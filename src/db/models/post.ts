// A blog post that promotes the service, written by a content manager in the back office.
import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export class Post extends Model<InferAttributes<Post>, InferCreationAttributes<Post>> {
  declare id: CreationOptional<number>;
  declare authorId: ForeignKey<number> | null;
  declare title: string;
  declare content: string;
  declare imagePath: CreationOptional<string | null>;
  /** The image's alt text; empty means the title says what it shows. */
  declare imageAlt: CreationOptional<string>;
  declare viewCount: CreationOptional<number>;
  declare isPublished: CreationOptional<boolean>;
  declare publishedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    Post.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        title: { type: DataTypes.STRING(200), allowNull: false, validate: { notEmpty: true } },
        content: { type: DataTypes.TEXT, allowNull: false },
        imagePath: { type: DataTypes.STRING(300), allowNull: true },
        imageAlt: { type: DataTypes.STRING(300), allowNull: false, defaultValue: '' },
        viewCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0, validate: { min: 0 } },
        isPublished: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        publishedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'posts', modelName: 'Post' },
    );
  }
}
